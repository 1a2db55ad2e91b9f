# XR-NPE RMMEC (rtl/rmmec.sv): the Verilated parameter sets of sim/cosim/rmmec_cosim.cpp.
# MODE 0 fp4, 1 posit4_1, 2 posit8_0, 3 posit16_1; LANES the mode's default; ACC_FP32 0 quire;
# OUT_POSIT 1: a posit output (OUT_N/OUT_ES, default the mode's own), else a float (OUT_E/OUT_M,
# default fp32). Plus the posit rounder
# (rtl/common/posit_round.sv) as its own top for the block tests of tests/cosim/rmmec_cosim_test.cpp.
set(RMMEC_RTL ${RTL}/rmmec.sv ${RTL}/common/pe_pipe.sv ${RTL}/common/pe_result.sv ${RTL}/common/posit_decode.sv
    ${RTL}/common/fp_round.sv ${RTL}/common/fp_acc_add.sv ${RTL}/common/posit_round.sv)
arithsim_cosim_binding(rmmec)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST ARGS -GMODE=2 -GLANES=2)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p16
                  ARGS -GMODE=3 -GLANES=1 -GSTAGES=2)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p4 ARGS -GMODE=1 -GLANES=4)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_fp4 ARGS -GMODE=0 -GLANES=4)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p8f32
                  ARGS -GMODE=2 -GLANES=2 -GACC_FP32=1)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p8_outp8
                  ARGS -GMODE=2 -GLANES=2 -GOUT_POSIT=1)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p16_outp16
                  ARGS -GMODE=3 -GLANES=1 -GSTAGES=2 -GOUT_POSIT=1)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p8f32_outp8
                  ARGS -GMODE=2 -GLANES=2 -GACC_FP32=1 -GOUT_POSIT=1)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p8_outfp16
                  ARGS -GMODE=2 -GLANES=2 -GOUT_E=5 -GOUT_M=10)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p16_outp8
                  ARGS -GMODE=3 -GLANES=1 -GSTAGES=2 -GOUT_POSIT=1 -GOUT_N=8 -GOUT_ES=0)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_fp4_outbf16
                  ARGS -GMODE=0 -GLANES=4 -GOUT_E=8 -GOUT_M=7)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p8f32_outfp16
                  ARGS -GMODE=2 -GLANES=2 -GACC_FP32=1 -GOUT_E=5 -GOUT_M=10)
foreach(_f "p8_0;8;0" "p16_1;16;1" "p4_1;4;1")
  list(GET _f 0 _n)
  list(GET _f 1 _bits)
  list(GET _f 2 _es)
  arithsim_verilate(arithsim_cosim_rmmec posit_round SOURCES ${RTL}/common/posit_round.sv
                    PREFIX Vposit_round_${_n} ARGS -GN=${_bits} -GES=${_es} -GSW=64 -GXW=16)
endforeach()
