#ifndef X86_ACCESS_H
#define X86_ACCESS_H

#define PT_LEVEL_PML4 4
#define PT_LEVEL_PML5 5

void ac_test_run(int page_table_levels, bool force_emulation);

#endif // X86_ACCESS_H