# LUT Tensor Core co-simulation binding (sim/cosim/lut_tensor_core_cosim.cpp): the Verilated
# parameter sets of rtl/lut_tensor_core.sv (INT8 or FP16 activations; fp32, fp16, bf16 tables and
# accumulators).
set(_ltc_rtl ${RTL}/lut_tensor_core.sv ${RTL}/common/pe_pipe.sv ${RTL}/common/pe_result.sv
    ${RTL}/common/group_acc.sv ${RTL}/common/group_dequant.sv ${RTL}/common/fp_round.sv ${RTL}/common/fp_acc_add.sv
    ${RTL}/common/fp_decode.sv ${RTL}/common/fp_group_acc.sv)
arithsim_cosim_binding(lut_tensor_core)
# default: w=int2 a=int8 k=4 group=128 symmetrize=true stages=1
arithsim_verilate(arithsim_cosim_lut_tensor_core lut_tensor_core SOURCES ${_ltc_rtl} TRACE_FST)
# w=int4 k=4 group=64 stages=2
arithsim_verilate(arithsim_cosim_lut_tensor_core lut_tensor_core SOURCES ${_ltc_rtl} TRACE_FST
                  PREFIX Vlut_tensor_core_w4 ARGS -GW_BITS=4 -GGROUP=64 -GSTAGES=2)
# w=int1 k=4 symmetrize=false group=32
arithsim_verilate(arithsim_cosim_lut_tensor_core lut_tensor_core SOURCES ${_ltc_rtl} TRACE_FST
                  PREFIX Vlut_tensor_core_w1 ARGS -GW_BITS=1 -GSYMMETRIZE=0 -GGROUP=32)
# a=fp16 table=fp16 w=int2 k=4 group=128 symmetrize=true stages=1
arithsim_verilate(arithsim_cosim_lut_tensor_core lut_tensor_core SOURCES ${_ltc_rtl} TRACE_FST
                  PREFIX Vlut_tensor_core_fp16 ARGS -GA_BITS=16 -GA_FP16=1)
# a=fp16 table=fp32 w=int4 k=4 group=32 symmetrize=false stages=2
arithsim_verilate(arithsim_cosim_lut_tensor_core lut_tensor_core SOURCES ${_ltc_rtl} TRACE_FST
                  PREFIX Vlut_tensor_core_fp16_t32
                  ARGS -GA_BITS=16 -GA_FP16=1 -GTABLE_E=8 -GTABLE_M=23 -GW_BITS=4 -GGROUP=32 -GSYMMETRIZE=0 -GSTAGES=2)
# acc=fp16 w=int2 k=4 group=32
arithsim_verilate(arithsim_cosim_lut_tensor_core lut_tensor_core SOURCES ${_ltc_rtl} TRACE_FST
                  PREFIX Vlut_tensor_core_acc16 ARGS -GGROUP=32 -GACC_E=5 -GACC_M=10)
# a=fp16 table=bf16 acc=bf16 w=int2 k=4 group=32
arithsim_verilate(arithsim_cosim_lut_tensor_core lut_tensor_core SOURCES ${_ltc_rtl} TRACE_FST
                  PREFIX Vlut_tensor_core_fp16_bf16
                  ARGS -GA_BITS=16 -GA_FP16=1 -GTABLE_E=8 -GTABLE_M=7 -GGROUP=32 -GACC_E=8 -GACC_M=7)
