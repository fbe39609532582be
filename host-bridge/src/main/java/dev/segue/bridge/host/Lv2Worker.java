package dev.segue.bridge.host;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.ArrayDeque;

/**
 * The LV2 worker extension ({@code http://lv2plug.in/ns/ext/worker}) for an offline host.
 *
 * <p>A plugin calls {@code schedule_work} from run() to get non-real-time work done. A real-time
 * host hands it to a thread; this host renders offline (nothing waits on a deadline), so it runs the
 * plugin's {@code work} at once, inside schedule_work, as DAWs do while freewheeling. Responses the
 * work sends are copied and delivered after run() returns, through {@code work_response} and then
 * {@code end_run}, as the spec orders it (lv2file delivers them inside run(), which the spec forbids).
 * Bounded: at most {@link #MAX_RESPONSES} responses per block of at most {@link #MAX_BYTES} each.
 */
final class Lv2Worker {
    static final int MAX_BYTES = 1 << 16;
    static final int MAX_RESPONSES = 64;
    private static final int SUCCESS = 0, ERR_UNKNOWN = 1, ERR_NO_SPACE = 2;

    /** LV2_Worker_Status (*schedule_work)(LV2_Worker_Schedule_Handle, uint32_t size, const void* data) */
    interface ScheduleCallback extends Callback {
        int invoke(Pointer handle, int size, Pointer data);
    }

    /** LV2_Worker_Status (*respond)(LV2_Worker_Respond_Handle, uint32_t size, const void* data) */
    interface RespondCallback extends Callback {
        int invoke(Pointer handle, int size, Pointer data);
    }

    // Fields, so JNA's native trampolines live as long as this worker.
    private final ScheduleCallback schedule = this::schedule;
    private final RespondCallback respond = this::respond;
    private final Pointer respondPointer = CallbackReference.getFunctionPointer(respond);
    private final Memory scheduleStruct = new Memory(2L * Native.POINTER_SIZE);
    private final Memory responseBuffer = new Memory(MAX_BYTES);
    private final ArrayDeque<byte[]> responses = new ArrayDeque<>();
    private Pointer instance;
    private Function work, workResponse, endRun;

    Lv2Worker() {
        scheduleStruct.setPointer(0, null);
        scheduleStruct.setPointer(Native.POINTER_SIZE, CallbackReference.getFunctionPointer(schedule));
    }

    /** The {@code LV2_Worker_Schedule} struct: the worker#schedule feature's data. */
    Pointer featureData() {
        return scheduleStruct;
    }

    /**
     * Binds the instance and its {@code LV2_Worker_Interface} (from extension_data); a plugin that
     * asks for the feature but has no interface gets ERR_UNKNOWN for every schedule.
     */
    void attach(Pointer instanceHandle, Pointer workerInterface) {
        if (workerInterface == null) {
            return;
        }
        int w = Native.POINTER_SIZE;
        Pointer f0 = workerInterface.getPointer(0), f1 = workerInterface.getPointer(w), f2 = workerInterface.getPointer(2L * w);
        instance = instanceHandle;
        work = f0 == null ? null : Function.getFunction(f0);
        workResponse = f1 == null ? null : Function.getFunction(f1);
        endRun = f2 == null ? null : Function.getFunction(f2);
    }

    private int schedule(Pointer handle, int size, Pointer data) {
        if (work == null) {
            return ERR_UNKNOWN;
        }
        if (size < 0 || size > MAX_BYTES || (size > 0 && data == null)) {
            return ERR_NO_SPACE;
        }
        Object status = work.invoke(Integer.class, new Object[] {instance, respondPointer, null, size, data});
        return (Integer) status;
    }

    private int respond(Pointer handle, int size, Pointer data) {
        if (size < 0 || size > MAX_BYTES || responses.size() >= MAX_RESPONSES || (size > 0 && data == null)) {
            return ERR_NO_SPACE;
        }
        responses.add(size == 0 ? new byte[0] : data.getByteArray(0, size));
        return SUCCESS;
    }

    /** After each run(): delivers the responses queued during it, then end_run. */
    void afterRun() {
        if (workResponse != null) {
            byte[] r;
            while ((r = responses.poll()) != null) {
                responseBuffer.write(0, r, 0, r.length);
                workResponse.invoke(Integer.class, new Object[] {instance, r.length, responseBuffer});
            }
        }
        responses.clear();
        if (endRun != null && instance != null) {
            endRun.invoke(Integer.class, new Object[] {instance});
        }
    }
}
