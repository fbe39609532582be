package dev.segue.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.segue.engine.checkpoint.ParameterSet;
import dev.segue.engine.checkpoint.RandomWeights;
import dev.segue.engine.checkpoint.WeightLoader;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The transposed convolution, by phases (inference) and zero-stuffed (training), against its definition written
 * out as loops: y[b, o, i*stride - padding + k] += x[b, c, i] * W[c, o, k], plus the bias. Kernels that are and are
 * not a multiple of the stride, every padding the layer allows at the edges, and stride 1.
 */
class ConvTranspose1dLayerTest {
    @ParameterizedTest(name = "in {0}, out {1}, kernel {2}, stride {3}, padding {4}")
    @CsvSource({"3,5,4,2,1", "2,3,8,4,2", "4,2,3,2,0", "3,3,5,2,2", "2,2,4,1,1", "2,4,6,3,5", "1,2,2,2,0"})
    void matchesTheDefinition(int in, int out, int kernel, int stride, int padding) {
        int batch = 2;
        int length = 7;
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            Random r = new Random(kernel * 31L + stride);
            float[] x = new float[batch * in * length];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            RandomWeights store = new RandomWeights(kernel * 7L + padding, 0.5);
            float[] w = store.get("weight", new long[] {in, out, kernel}).toFloats();
            float[] b = store.get("bias", new long[] {out}).toFloats();
            int outLength = (length - 1) * stride - 2 * padding + kernel;
            float[] expected = new float[batch * out * outLength];
            for (int n = 0; n < batch; n++) {
                for (int o = 0; o < out; o++) {
                    for (int t = 0; t < outLength; t++) {
                        expected[(n * out + o) * outLength + t] = b[o];
                    }
                    for (int c = 0; c < in; c++) {
                        for (int i = 0; i < length; i++) {
                            for (int k = 0; k < kernel; k++) {
                                int t = i * stride - padding + k;
                                if (t >= 0 && t < outLength) {
                                    expected[(n * out + o) * outLength + t] +=
                                            x[(n * in + c) * length + i] * w[(c * out + o) * kernel + k];
                                }
                            }
                        }
                    }
                }
            }
            for (boolean training : new boolean[] {false, true}) {
                WeightLoader loader = new WeightLoader(store, m, training ? new ParameterSet() : null);
                ConvTranspose1dLayer layer = new ConvTranspose1dLayer(loader, in, out, kernel, stride, padding);
                NDArray y = layer.forward(m.create(x, new Shape(batch, in, length)));
                assertEquals(new Shape(batch, out, outLength), y.getShape(), training ? "zero-stuffed" : "by phases");
                float[] got = y.toFloatArray();
                float worst = 0;
                for (int i = 0; i < got.length; i++) {
                    worst = Math.max(worst, Math.abs(got[i] - expected[i]));
                }
                assertTrue(worst < 1e-5f, (training ? "zero-stuffed" : "by phases") + " differs by " + worst);
            }
        }
    }
}
