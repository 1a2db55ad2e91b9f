# FP8 MAC co-simulation binding (sim/cosim/fp8_mac_cosim.cpp) and its Verilated parameter
# sets, plus the shared floating-point blocks (rtl/common/fp_round.sv, fp_acc_add.sv) as
# their own tops for the block tests of tests/cosim/fp8_mac_cosim_test.cpp.
arithsim_cosim_binding(fp8_mac)
set(_fpblk ${RTL}/common/fp_round.sv ${RTL}/common/fp_acc_add.sv)
set(_fp8 ${RTL}/fp8_mac.sv ${RTL}/common/pe_pipe.sv ${RTL}/common/pe_result.sv ${RTL}/common/fp_term_acc.sv ${_fpblk}
         ${RTL}/common/fp_adder_tree.sv)
# a=e4m3 w=e4m3 acc=fp32 mode=fused stages=1 (the defaults)
arithsim_verilate(arithsim_cosim_fp8_mac fp8_mac SOURCES ${_fp8} TRACE_FST)
# a=e5m2 w=e4m3 acc=fp16 mode=per_product stages=2
arithsim_verilate(arithsim_cosim_fp8_mac fp8_mac SOURCES ${_fp8} TRACE_FST PREFIX Vfp8_mac_fp16_pp_s2
                  ARGS -GA_E=5 -GA_M=2 -GA_BIAS=15 -GA_CONV=0 -GACC_E=5 -GACC_M=10 -GPER_PRODUCT=1 -GSTAGES=2)
# a=e4m3 w=e5m2 acc=bf16 mode=fused stages=3
arithsim_verilate(arithsim_cosim_fp8_mac fp8_mac SOURCES ${_fp8} TRACE_FST PREFIX Vfp8_mac_bf16_s3
                  ARGS -GW_E=5 -GW_M=2 -GW_BIAS=15 -GW_CONV=0 -GACC_E=8 -GACC_M=7 -GSTAGES=3)
# a=e4m3 w=e4m3 acc=fp32 mode=tree tree_inputs=4 align_bits=27 round_shifted=false stages=1
arithsim_verilate(arithsim_cosim_fp8_mac fp8_mac SOURCES ${_fp8} TRACE_FST PREFIX Vfp8_mac_tree4
                  ARGS -GTREE_INPUTS=4 -GALIGN_BITS=27 -GROUND_SHIFTED=0)
# a=e5m2 w=e4m3 acc=bf16 mode=tree tree_inputs=8 align_bits=16 round_shifted=true stages=2
arithsim_verilate(arithsim_cosim_fp8_mac fp8_mac SOURCES ${_fp8} TRACE_FST PREFIX Vfp8_mac_tree8_rs_bf16_s2
                  ARGS -GA_E=5 -GA_M=2 -GA_BIAS=15 -GA_CONV=0 -GACC_E=8 -GACC_M=7 -GTREE_INPUTS=8 -GALIGN_BITS=16
                       -GROUND_SHIFTED=1 -GSTAGES=2)
foreach(_f "fp32;8;23" "fp16;5;10" "bf16;8;7")
  list(GET _f 0 _n)
  list(GET _f 1 _e)
  list(GET _f 2 _m)
  arithsim_verilate(arithsim_cosim_fp8_mac fp_round SOURCES ${RTL}/common/fp_round.sv
                    PREFIX Vfp_round_${_n} ARGS -GE=${_e} -GM=${_m} -GSW=64 -GXW=16)
  arithsim_verilate(arithsim_cosim_fp8_mac fp_acc_add SOURCES ${_fpblk}
                    PREFIX Vfp_acc_add_${_n} ARGS -GE=${_e} -GM=${_m} -GSW=32 -GXW=16)
endforeach()
