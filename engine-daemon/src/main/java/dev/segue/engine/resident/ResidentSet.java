package dev.segue.engine.resident;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Models held under a memory budget. Each slot knows its size before it is loaded (from its config and file
 * headers); it loads on first use, and to make room the least recently used slot that no job is using is
 * unloaded. A slot larger than the whole budget is refused with an error naming both sizes. One load runs at a
 * time; the listing ({@link Slot#loaded()}, {@link Slot#bytes()}) never waits for a load.
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
        private boolean closed;

        private Lease(Slot slot) {
            this.slot = slot;
        }

        public T value() {
            return slot.value;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(slot);
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

    /** Bytes of the loaded (and loading) slots. */
    public synchronized long used() {
        long used = 0;
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
     * The slot's value, loading it first (after unloading least recently used idle slots until it fits) when it is
     * not in memory. Waits while the room it needs is held by slots in use.
     */
    public Lease acquire(Slot s, LoadListener listener) throws InterruptedException {
        String refused = refusal(s);
        if (refused != null) {
            throw new TooLarge(refused);
        }
        synchronized (loadTurn) { // one load at a time; a slot already loaded passes straight through
            synchronized (this) {
                if (s.value != null) {
                    s.users++;
                    s.lastUse = ++clock;
                    return new Lease(s);
                }
                if (listener != null) {
                    listener.loading(s.name, s.bytes);
                }
                makeRoom(s);
                s.loading = true;
            }
            T loaded;
            long before = residentBytes();
            try {
                loaded = s.loader.get();
            } catch (RuntimeException | Error e) {
                synchronized (this) {
                    s.loading = false;
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
                return new Lease(s);
            }
        }
    }

    /** Unloads idle slots, least recently used first, until {@code s} fits; waits for busy ones to finish. */
    private void makeRoom(Slot s) throws InterruptedException {
        long need = Math.max(0, s.bytes);
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

    private synchronized void release(Slot s) {
        s.users--;
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
        return dev.segue.engine.bench.MemoryStats.residentBytes();
    }
}
