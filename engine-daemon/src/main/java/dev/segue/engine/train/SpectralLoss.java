package dev.segue.engine.train;

import ai.djl.ndarray.NDArray;

/**
 * Multi-resolution spectral loss: at several STFT sizes, the squared difference of magnitude spectra
 * relative to the target's energy (so loud and quiet batches weigh alike), averaged over resolutions.
 * Waveform error alone lets a decoder blur phase-sensitive detail into a quiet mean; magnitudes at several
 * time/frequency trade-offs pull it back towards the target's spectrum, as the reference's multispectral
 * loss does.
 */
final class SpectralLoss {
    private final int[] fftSizes;

    SpectralLoss(int... fftSizes) {
        if (fftSizes.length == 0) {
            throw new IllegalArgumentException("at least one STFT size");
        }
        this.fftSizes = fftSizes.clone();
    }

    /** target, output (N, T) mono audio; a scalar. */
    NDArray loss(NDArray target, NDArray output) {
        NDArray total = null;
        for (int size : fftSizes) {
            NDArray window = target.getManager().hanningWindow(size);
            NDArray a = magnitude(target.stft(size, size / 4, true, window, false, false));
            NDArray b = magnitude(output.stft(size, size / 4, true, window, false, false));
            NDArray energy = a.square().mean().add(1e-8f).stopGradient();
            energy.attach(target.getManager());
            NDArray term = a.sub(b).square().mean().div(energy);
            total = total == null ? term : total.add(term);
        }
        return total.div(fftSizes.length);
    }

    /** |X| from the (..., 2) real/imaginary layout, with a floor so the gradient at zero stays finite. */
    private static NDArray magnitude(NDArray stft) {
        return stft.square().sum(new int[] {-1}).add(1e-7f).sqrt();
    }
}
