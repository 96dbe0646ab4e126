package org.diredi.profiles;

/** Numeric precision a device executes a detector in. */
public enum Precision {
    /** 32-bit float: ONNX Runtime on a PC or a CPU board. */
    FP32,
    /** 16-bit float: TensorRT builds the engine from an FP32 ONNX file with {@code --fp16}. */
    FP16,
    /** 8-bit integer: the ONNX file must already carry quantized (QDQ) weights. */
    INT8
}
