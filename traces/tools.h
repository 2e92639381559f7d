/* The trace tools behind the avsim command line: `avsim trace dump|stats`
 * (traces/trace_tool.c) and `avsim tlbsim` (traces/tlbsim_cli.c). Each takes
 * the arguments after its command word and returns the process exit status
 * (0 success, 2 bad usage or input). */
#ifndef AVSIM_TRACES_TOOLS_H
#define AVSIM_TRACES_TOOLS_H

int trace_tool_main(int argc, char **argv);   /* argv[0] is "dump" or "stats" */
int tlbsim_main(int argc, char **argv);       /* argv: options and the trace file */

#endif
