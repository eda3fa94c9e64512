# sealtext.awk - turns VERIFY.md.in and verify.sh.in into report/sealtext.c
# (C string functions), so the texts packed into every package are the
# files kept in git, byte for byte.
BEGIN {
	print "/* Generated from report/VERIFY.md.in and report/verify.sh.in by sealtext.awk. */"
	print "#include \"report/seal_int.h\""
	open = 0
}
FNR == 1 {
	if (open)
		print "\t;\n}\n"
	fn = FILENAME ~ /VERIFY\.md\.in$/ ? "cu_seal_verify_md" : "cu_seal_verify_sh"
	print "const char *" fn "(void)\n{\n\treturn \"\""
	open = 1
}
function esc(s, out, i, c) {
	out = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "\\")
			out = out "\\\\"
		else if (c == "\"")
			out = out "\\\""
		else if (c == "\t")
			out = out "\\t"
		else if (c == "?")
			out = out "\\?"
		else
			out = out c
	}
	return out
}
{
	print "\t\t\"" esc($0) "\\n\""
}
END {
	if (open)
		print "\t;\n}"
}
