package dev.segue.engine.train;

import ai.djl.ndarray.NDArray;

/**
 * Multi-resolution spectral loss, in one of two forms, averaged over STFT sizes:
 * <ul>
 *   <li>{@link #linear}: the squared difference of magnitude spectra relative to the target's energy (so loud and
 *       quiet batches weigh alike). Waveform error alone lets a decoder blur phase-sensitive detail into a quiet
 *       mean; magnitudes at several time/frequency trade-offs pull it back towards the target's spectrum, as the
 *       reference's multispectral loss does. Loud low partials dominate it.</li>
 *   <li>{@link #logarithmic}: the mean absolute difference of log magnitudes, floored 80 dB below a full-scale
 *       sine. Every bin above the floor weighs by its ratio, not its energy, so the quiet high partials of an
 *       attack and the silence after it count as much as a sustained bass note: a decoder that smears attacks
 *       or leaves a noise floor between them pays for it, most at the short sizes.</li>
 * </ul>
 */
final class SpectralLoss {
    /** The log form's floor, relative to the peak bin of a full-scale sine (a quarter of the STFT size). */
    static final float LOG_FLOOR = 1e-4f;

    private final int[] fftSizes;
    private final boolean log;

    private SpectralLoss(boolean log, int... fftSizes) {
        if (fftSizes.length == 0) {
            throw new IllegalArgumentException("at least one STFT size");
        }
        this.fftSizes = fftSizes.clone();
        this.log = log;
    }

    static SpectralLoss linear(int... fftSizes) {
        return new SpectralLoss(false, fftSizes);
    }

    static SpectralLoss logarithmic(int... fftSizes) {
        return new SpectralLoss(true, fftSizes);
    }

    /** target, output (N, T) mono audio; a scalar. */
    NDArray loss(NDArray target, NDArray output) {
        NDArray total = null;
        for (int size : fftSizes) {
            NDArray window = target.getManager().hanningWindow(size);
            NDArray a = magnitude(target.stft(size, size / 4, true, window, false, false));
            NDArray b = magnitude(output.stft(size, size / 4, true, window, false, false));
            NDArray term;
            if (log) {
                float floor = LOG_FLOOR * size / 4;
                term = a.add(floor).log().sub(b.add(floor).log()).abs().mean();
            } else {
                NDArray energy = a.square().mean().add(1e-8f).stopGradient();
                energy.attach(target.getManager());
                term = a.sub(b).square().mean().div(energy);
            }
            total = total == null ? term : total.add(term);
        }
        return total.div(fftSizes.length);
    }

    /** |X| from the (..., 2) real/imaginary layout, with a floor so the gradient at zero stays finite. */
    private static NDArray magnitude(NDArray stft) {
        return stft.square().sum(new int[] {-1}).add(1e-7f).sqrt();
    }
}
