# L-Mul PE co-simulation binding (sim/cosim/lmul_pe_cosim.cpp) and its Verilated parameter sets.
arithsim_cosim_binding(lmul_pe)
set(_lmul ${RTL}/lmul_pe.sv ${RTL}/common/pe_pipe.sv ${RTL}/common/pe_result.sv ${RTL}/common/fp_term_acc.sv
    ${RTL}/common/fp_round.sv ${RTL}/common/fp_acc_add.sv)
# format=bf16 variant=hardware acc=fp32 stages=1 (the defaults)
arithsim_verilate(arithsim_cosim_lmul_pe lmul_pe SOURCES ${_lmul} TRACE_FST)
# format=e4m3 variant=hardware acc=fp32 stages=2
arithsim_verilate(arithsim_cosim_lmul_pe lmul_pe SOURCES ${_lmul} TRACE_FST PREFIX Vlmul_pe_e4m3_s2
                  ARGS -GE=4 -GM=3 -GBIAS=7 -GCONV=1 -GSTAGES=2)
# format=bf16 variant=formula acc=fp32 stages=1
arithsim_verilate(arithsim_cosim_lmul_pe lmul_pe SOURCES ${_lmul} TRACE_FST PREFIX Vlmul_pe_formula
                  ARGS -GVARIANT=1)
