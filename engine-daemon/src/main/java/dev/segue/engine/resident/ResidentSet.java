package dev.segue.engine.resident;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Models held under a memory budget. Each slot knows its size before it is loaded (from its config and file
 * headers); it loads on first use, and to make room the least recently used slot that no job is using is
 * unloaded. A use may also need working memory beside the slot (a job's key/value cache): it counts against the
 * budget while the use lasts. A slot, or a slot and its use's working memory, larger than the whole budget is
 * refused with an error naming the sizes. One load runs at a time; the listing ({@link Slot#loaded()},
 * {@link Slot#bytes()}) never waits for a load.
 */
public final class ResidentSet<T extends AutoCloseable> {
    /** A slot that can never fit: its size and the budget, in the message. */
    public static final class TooLarge extends RuntimeException {
        TooLarge(String message) {
            super(message);
        }
    }

    public final class Slot {
        private final String name;
        private final Supplier<T> loader;
        private volatile long bytes;
        private volatile T value;
        private int users;
        private long lastUse;
        private boolean loading;

        private Slot(String name, long bytes, Supplier<T> loader) {
            this.name = name;
            this.bytes = bytes;
            this.loader = loader;
        }

        public String name() {
            return name;
        }

        /** Bytes the slot takes when loaded: the estimate until it has loaded once, then what it measured. */
        public long bytes() {
            return bytes;
        }

        public boolean loaded() {
            return value != null;
        }

        public boolean fits() {
            return bytes <= budget;
        }
    }

    /** A slot in use; closing it lets the slot be unloaded again. */
    public final class Lease implements AutoCloseable {
        private final Slot slot;
        private final long working;
        private boolean closed;

        private Lease(Slot slot, long working) {
            this.slot = slot;
            this.working = working;
        }

        public T value() {
            return slot.value;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(slot, working);
            }
        }
    }

    /** Told when a use must first load its slot (and perhaps unload others): a job says so in its progress. */
    public interface LoadListener {
        void loading(String slot, long bytes);
    }

    private final long budget;
    private final List<Slot> slots = new ArrayList<>();
    private final Object loadTurn = new Object();
    private long clock;
    /** Working memory of the uses open now. */
    private long working;

    public ResidentSet(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("memory budget must be positive, got " + budgetBytes + " bytes");
        }
        this.budget = budgetBytes;
    }

    public long budget() {
        return budget;
    }

    /** A slot of {@code bytes} (an estimate before the first load; negative: unknown until loaded). */
    public synchronized Slot add(String name, long bytes, Supplier<T> loader) {
        Slot s = new Slot(name, bytes, loader);
        slots.add(s);
        return s;
    }

    /** Bytes of the loaded (and loading) slots, and the working memory of the uses open now. */
    public synchronized long used() {
        long used = working;
        for (Slot s : slots) {
            if (s.value != null || s.loading) {
                used += Math.max(0, s.bytes);
            }
        }
        return used;
    }

    /** The refusal for a slot that can never fit; null when it can. */
    public String refusal(Slot s) {
        if (s.bytes <= budget) {
            return null;
        }
        return String.format(Locale.ROOT, "prior '%s' needs %s loaded but the memory budget is %s (--memory-budget); "
                + "it can never be loaded in this daemon", s.name, gb(s.bytes), gb(budget));
    }

    /**
     * The refusal for a use of {@code s} that needs {@code working} bytes beside it ({@code what} says for what, as
     * "the key/value cache of 4 takes"); null when it fits.
     */
    public String refusal(Slot s, long working, String what) {
        String alone = refusal(s);
        if (alone != null || Math.max(0, s.bytes) + working <= budget) {
            return alone;
        }
        return String.format(Locale.ROOT, "prior '%s' needs %s loaded and %s for %s, over the memory budget of %s "
                + "(--memory-budget): ask for fewer takes", s.name, gb(Math.max(0, s.bytes)), gb(working), what,
                gb(budget));
    }

    /**
     * The slot's value, loading it first (after unloading least recently used idle slots until it fits) when it is
     * not in memory. Waits while the room it needs is held by slots in use.
     */
    public Lease acquire(Slot s, LoadListener listener) throws InterruptedException {
        return acquire(s, 0, "", listener);
    }

    /**
     * As {@link #acquire(Slot, LoadListener)} for a use that needs {@code working} bytes beside the slot while it
     * lasts ({@code what}: for what, in the refusal): idle slots are unloaded until both fit, even when the slot
     * itself is loaded already.
     */
    public Lease acquire(Slot s, long working, String what, LoadListener listener) throws InterruptedException {
        if (working < 0) {
            throw new IllegalArgumentException("working memory must not be negative, got " + working);
        }
        String refused = refusal(s, working, what);
        if (refused != null) {
            throw new TooLarge(refused);
        }
        synchronized (loadTurn) { // one load at a time; a slot already loaded passes straight through
            synchronized (this) {
                if (s.value != null) {
                    makeRoom(s, working);
                    this.working += working;
                    s.users++;
                    s.lastUse = ++clock;
                    return new Lease(s, working);
                }
                if (listener != null) {
                    listener.loading(s.name, s.bytes);
                }
                makeRoom(s, working);
                this.working += working; // held from here, so no other use takes the room during the load
                s.loading = true;
            }
            T loaded;
            long before = residentBytes();
            try {
                loaded = s.loader.get();
            } catch (RuntimeException | Error e) {
                synchronized (this) {
                    s.loading = false;
                    this.working -= working;
                    notifyAll();
                }
                throw e;
            }
            synchronized (this) {
                if (s.bytes < 0) {
                    s.bytes = Math.max(0, residentBytes() - before); // no estimate: what the load took
                }
                s.loading = false;
                s.value = loaded;
                s.users++;
                s.lastUse = ++clock;
                return new Lease(s, working);
            }
        }
    }

    /**
     * Unloads idle slots, least recently used first, until {@code s} (counted unless it is loaded already) and
     * {@code working} more bytes fit; waits for busy ones to finish.
     */
    private void makeRoom(Slot s, long working) throws InterruptedException {
        long need = (s.value != null ? 0 : Math.max(0, s.bytes)) + working;
        while (used() + need > budget) {
            Slot victim = null;
            for (Slot o : slots) {
                if (o != s && o.value != null && o.users == 0 && (victim == null || o.lastUse < victim.lastUse)) {
                    victim = o;
                }
            }
            if (victim == null) {
                wait(1000); // every loaded slot is in use: wait for a release
                continue;
            }
            T old = victim.value;
            victim.value = null;
            try {
                old.close();
            } catch (Exception e) {
                // closing frees native memory; a failure to close leaves nothing to report to the job
            }
        }
    }

    private synchronized void release(Slot s, long working) {
        s.users--;
        this.working -= working;
        notifyAll();
    }

    /** Unloads every idle slot (shutdown). */
    public synchronized void closeAll() {
        for (Slot s : slots) {
            if (s.value != null) {
                try {
                    s.value.close();
                } catch (Exception ignored) {
                    // shutting down
                }
                s.value = null;
            }
        }
    }

    public static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    private static long residentBytes() {
        return dev.segue.engine.monitor.MemoryStats.residentBytes();
    }
}
