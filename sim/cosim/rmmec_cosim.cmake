# XR-NPE RMMEC (rtl/rmmec.sv): the Verilated parameter sets of sim/cosim/rmmec_cosim.cpp.
# MODE 0 fp4, 1 posit4_1, 2 posit8_0, 3 posit16_1; LANES the mode's default; ACC_FP32 0 quire.
set(RMMEC_RTL ${RTL}/rmmec.sv ${RTL}/common/pe_pipe.sv ${RTL}/common/pe_result.sv ${RTL}/common/posit_decode.sv
    ${RTL}/common/fp_round.sv ${RTL}/common/fp_acc_add.sv)
arithsim_cosim_binding(rmmec)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST ARGS -GMODE=2 -GLANES=2)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p16
                  ARGS -GMODE=3 -GLANES=1 -GSTAGES=2)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p4 ARGS -GMODE=1 -GLANES=4)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_fp4 ARGS -GMODE=0 -GLANES=4)
arithsim_verilate(arithsim_cosim_rmmec rmmec SOURCES ${RMMEC_RTL} TRACE_FST PREFIX Vrmmec_p8f32
                  ARGS -GMODE=2 -GLANES=2 -GACC_FP32=1)
