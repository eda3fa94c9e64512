# The analysis of a case (hits, links, graph): sources added here.
