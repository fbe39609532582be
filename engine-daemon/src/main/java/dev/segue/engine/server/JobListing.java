package dev.segue.engine.server;

import dev.segue.protocol.message.JobInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The store's records as the wire's {@code jobs} list: newest first, bounded, with a one-line label. */
public final class JobListing {
    private JobListing() {}

    public static List<JobInfo> newestFirst(List<JobRecord> records, int max) {
        List<JobRecord> sorted = new ArrayList<>(records);
        sorted.sort(NEWEST_FIRST);
        List<JobInfo> out = new ArrayList<>();
        for (JobRecord r : sorted.subList(0, Math.min(max, sorted.size()))) {
            out.add(entry(r));
        }
        return out;
    }

    /** A job's place in the list: newest first by creation time, then by id. Neither ever changes for a job. */
    record Place(long createdMillis, String job) implements Comparable<Place> {
        static Place of(JobRecord r) {
            return new Place(r.createdMillis(), r.job());
        }

        @Override
        public int compareTo(Place o) {
            int byTime = Long.compare(o.createdMillis, createdMillis);
            return byTime != 0 ? byTime : job.compareTo(o.job);
        }
    }

    /** The order of the list, by {@link Place}. */
    static final Comparator<JobRecord> NEWEST_FIRST = Comparator.comparing(Place::of);

    /** One record's entry in the list. */
    static JobInfo entry(JobRecord r) {
        String label = label(r.request());
        if (r.expired()) { // takes_done 0 and the label say it; the state stays what the job ended as
            label = ("expired: takes deleted by the retention policy; " + label);
            label = label.length() > 1000 ? label.substring(0, 1000) : label;
        }
        return new JobInfo(r.job(), r.state(), r.candidates(), Math.min(r.takes().size(), r.candidates()),
                Math.max(0, r.createdMillis()), label);
    }

    /** "4.00 s prime at 48000 Hz, length_bars=8.0 at 120.0 bpm 4/4": older records lack some keys. */
    static String label(JobRequest request) {
        StringBuilder b = new StringBuilder();
        if (request.primeFrames() != null && request.sampleRate() != null && request.sampleRate() > 0) {
            b.append(String.format(java.util.Locale.ROOT, "%.2f s prime at %d Hz, ",
                    request.primeFrames() / (double) request.sampleRate(), request.sampleRate()));
        }
        b.append(request.length() == null ? "?" : request.length());
        if (request.tempoBpm() != null) {
            b.append(" at ").append(request.tempoBpm()).append(" bpm ")
                    .append(request.timeSig() == null ? "" : request.timeSig());
        }
        String label = b.toString().trim();
        return label.length() > 1000 ? label.substring(0, 1000) : label;
    }
}
