package dev.segue.bridge.client;

import dev.segue.protocol.message.Done;
import dev.segue.protocol.message.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Rebuilds each candidate of one job from its {@code result} chunks. The spec promises chunks in
 * increasing offset per candidate, but a re-attaching {@code fetch} may repeat chunks, so coverage
 * is tracked as merged intervals rather than a running offset: any order, overlaps allowed.
 */
final class ResultAssembler {
    private final String job;
    private final TreeMap<Integer, Candidate> candidates = new TreeMap<>();

    ResultAssembler(String job) {
        this.job = job;
    }

    void add(Result r) throws DaemonException {
        Candidate c = candidates.get(r.candidate());
        if (c == null) {
            c = new Candidate(r);
            candidates.put(r.candidate(), c);
        } else {
            c.checkSameCandidate(r);
        }
        c.write(r);
    }

    /** The job's takes once {@code done} arrived; every announced candidate must be whole by now. */
    JobResult finish(Done done) throws DaemonException {
        if (candidates.size() != done.candidates()) {
            throw DaemonException.badReply("job " + job + ": done announces " + done.candidates()
                    + " candidates, results arrived for " + candidates.keySet());
        }
        List<Take> takes = new ArrayList<>();
        for (int i = 0; i < done.candidates(); i++) {
            Candidate c = candidates.get(i);
            if (c == null) {
                throw DaemonException.badReply("job " + job + ": done before any result of candidate " + i);
            }
            if (!c.complete()) {
                throw DaemonException.badReply("job " + job + ": done before candidate " + i + " was whole ("
                        + c.coveredFrames() + " of " + c.totalFrames + " frames)");
            }
            takes.add(new Take(i, c.sampleRate, c.channels, c.startSample, c.seed, c.metadata, c.samples));
        }
        return new JobResult(job, takes);
    }

    /** One candidate being filled; the first chunk fixes what every later chunk must repeat. */
    private final class Candidate {
        final int index;
        final int sampleRate;
        final int channels;
        final long startSample;
        final long totalFrames;
        final long seed;
        final Map<String, String> metadata;
        final float[] samples;
        /** Covered frame ranges, start -> end (exclusive), disjoint and non-adjacent. */
        final TreeMap<Long, Long> covered = new TreeMap<>();

        Candidate(Result first) {
            index = first.candidate();
            sampleRate = first.sampleRate();
            channels = first.audio().channels();
            startSample = first.startSample();
            totalFrames = first.totalFrames();
            seed = first.seed();
            metadata = first.metadata();
            // totalFrames <= 600 s at 192 kHz, times 2 channels, stays below Integer.MAX_VALUE.
            samples = new float[Math.toIntExact(totalFrames * channels)];
        }

        void checkSameCandidate(Result r) throws DaemonException {
            if (r.sampleRate() != sampleRate || r.audio().channels() != channels || r.startSample() != startSample
                    || r.totalFrames() != totalFrames || r.seed() != seed) {
                throw DaemonException.badReply("job " + job + " candidate " + index + ": chunk at offset "
                        + r.offsetFrames() + " disagrees with the first chunk on sample_rate, channels, start_sample,"
                        + " total_frames or seed");
            }
        }

        void write(Result r) {
            float[] chunk = r.audio().toArray();
            System.arraycopy(chunk, 0, samples, Math.toIntExact(r.offsetFrames() * channels), chunk.length);
            cover(r.offsetFrames(), r.offsetFrames() + r.audio().frames());
        }

        private void cover(long start, long end) {
            Map.Entry<Long, Long> before = covered.floorEntry(start);
            if (before != null && before.getValue() >= start) {
                start = before.getKey();
                end = Math.max(end, before.getValue());
                covered.remove(before.getKey());
            }
            Map.Entry<Long, Long> next;
            while ((next = covered.ceilingEntry(start)) != null && next.getKey() <= end) {
                end = Math.max(end, next.getValue());
                covered.remove(next.getKey());
            }
            covered.put(start, end);
        }

        boolean complete() {
            return covered.size() == 1 && covered.firstKey() == 0 && covered.firstEntry().getValue() == totalFrames;
        }

        long coveredFrames() {
            return covered.entrySet().stream().mapToLong(e -> e.getValue() - e.getKey()).sum();
        }
    }
}
