/*
 * cmd_seal.c - `custos seal` (CLI.md).
 */
#include "src/cli.h"

int cu_cmd_seal(struct cu_cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argc;
	(void)argv;
	return cu_cli_not_implemented("seal");
}
