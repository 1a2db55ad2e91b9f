# MixPE co-simulation binding (sim/cosim/mixpe_cosim.cpp): the Verilated parameter sets of
# rtl/mixpe.sv (INT8 or FP16 activations; fp32, fp16 and bf16 accumulators).
set(_mixpe_rtl ${RTL}/mixpe.sv ${RTL}/common/pe_pipe.sv ${RTL}/common/pe_result.sv ${RTL}/common/group_acc.sv
    ${RTL}/common/group_dequant.sv ${RTL}/common/fp_round.sv ${RTL}/common/fp_acc_add.sv
    ${RTL}/common/fp_decode.sv ${RTL}/common/fp_group_acc.sv)
arithsim_cosim_binding(mixpe)
# default: w=int4 a=int8 group=128 zero_point=true stages=1
arithsim_verilate(arithsim_cosim_mixpe mixpe SOURCES ${_mixpe_rtl} TRACE_FST)
# w=int2 group=32 stages=2
arithsim_verilate(arithsim_cosim_mixpe mixpe SOURCES ${_mixpe_rtl} TRACE_FST
                  PREFIX Vmixpe_w2 ARGS -GW_BITS=2 -GGROUP=32 -GSTAGES=2)
# w=int8 zero_point=false (two's complement weights) group=64
arithsim_verilate(arithsim_cosim_mixpe mixpe SOURCES ${_mixpe_rtl} TRACE_FST
                  PREFIX Vmixpe_w8 ARGS -GW_BITS=8 -GZERO_POINT=0 -GGROUP=64)
# a=fp16 w=int4 group=128 zero_point=true stages=1
arithsim_verilate(arithsim_cosim_mixpe mixpe SOURCES ${_mixpe_rtl} TRACE_FST
                  PREFIX Vmixpe_fp16 ARGS -GA_BITS=16 -GA_FP16=1)
# a=fp16 w=int8 zero_point=false group=32 stages=2
arithsim_verilate(arithsim_cosim_mixpe mixpe SOURCES ${_mixpe_rtl} TRACE_FST
                  PREFIX Vmixpe_fp16_w8 ARGS -GA_BITS=16 -GA_FP16=1 -GW_BITS=8 -GZERO_POINT=0 -GGROUP=32 -GSTAGES=2)
# acc=fp16 w=int4 group=32
arithsim_verilate(arithsim_cosim_mixpe mixpe SOURCES ${_mixpe_rtl} TRACE_FST
                  PREFIX Vmixpe_acc16 ARGS -GGROUP=32 -GACC_E=5 -GACC_M=10)
# a=fp16 acc=bf16 w=int4 group=32
arithsim_verilate(arithsim_cosim_mixpe mixpe SOURCES ${_mixpe_rtl} TRACE_FST
                  PREFIX Vmixpe_fp16_accbf16 ARGS -GA_BITS=16 -GA_FP16=1 -GGROUP=32 -GACC_E=8 -GACC_M=7)
