package dev.segue.engine.server;

import dev.segue.protocol.message.JobInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

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
    static String label(Map<String, String> request) {
        StringBuilder b = new StringBuilder();
        String frames = request.get("prime_frames");
        String rate = request.get("sample_rate");
        if (frames != null && rate != null) {
            try {
                b.append(String.format(java.util.Locale.ROOT, "%.2f s prime at %s Hz, ",
                        Long.parseLong(frames) / (double) Integer.parseInt(rate), rate));
            } catch (NumberFormatException e) {
                // a hand-edited record: leave the prime out of the label rather than fail the listing
            }
        }
        b.append(request.getOrDefault("length", "?"));
        if (request.containsKey("tempo_bpm")) {
            b.append(" at ").append(request.get("tempo_bpm")).append(" bpm ").append(request.getOrDefault("time_sig", ""));
        }
        String label = b.toString().trim();
        return label.length() > 1000 ? label.substring(0, 1000) : label;
    }
}
