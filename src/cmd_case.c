/*
 * cmd_case.c - `custos case` (CLI.md).
 */
#include "src/cli.h"

int cu_cmd_case(struct cu_cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	return cu_cli_not_implemented("case");
}
