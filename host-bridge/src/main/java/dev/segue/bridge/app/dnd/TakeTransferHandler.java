package dev.segue.bridge.app.dnd;

import dev.segue.bridge.app.cache.CachedTake;
import dev.segue.bridge.app.cache.TakeCache;
import java.awt.datatransfer.Transferable;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.swing.JComponent;
import javax.swing.TransferHandler;

/**
 * Drags a take out of the window as a file: its 24-bit WAV in the cache's stems folder, named as the
 * plugin names its stems ({@code <job>_bar005_120bpm_take1.wav}: the bar it starts on, the tempo; see
 * {@link TakeCache}), already written when the take was cached (written again here only if it
 * was removed), so the drag starts at once. Copy only: the cache keeps its file.
 */
public final class TakeTransferHandler extends TransferHandler {
    private static final long serialVersionUID = 1L;
    /** How far the mouse moves with the button down before it is a drag, not a click. */
    static final int DRAG_THRESHOLD_PX = 6;

    private final transient TakeCache cache;
    private final transient Supplier<CachedTake> take;
    private final transient Consumer<String> onError;

    /** @param take the take a drag from the component carries (null: nothing to drag) */
    public TakeTransferHandler(TakeCache cache, Supplier<CachedTake> take, Consumer<String> onError) {
        this.cache = cache;
        this.take = take;
        this.onError = onError;
    }

    @Override
    public int getSourceActions(JComponent c) {
        return COPY;
    }

    @Override
    protected Transferable createTransferable(JComponent c) {
        CachedTake t = take.get();
        if (t == null) {
            return null;
        }
        try {
            return new FileListTransferable(List.of(cache.ensureStem(t).toFile()));
        } catch (IOException e) {
            onError.accept("could not write " + t.stem() + ": " + e.getMessage());
            return null;
        }
    }

    /** Makes {@code c} a drag source: pressing and moving past the threshold starts the drag. */
    public void install(JComponent c) {
        c.setTransferHandler(this);
        MouseAdapter gesture = new MouseAdapter() {
            private MouseEvent pressed;

            @Override
            public void mousePressed(MouseEvent e) {
                pressed = e;
            }

            @Override
            public void mouseReleased(MouseEvent e) {
                pressed = null;
            }

            @Override
            public void mouseDragged(MouseEvent e) {
                if (pressed != null && pressed.getPoint().distance(e.getPoint()) >= DRAG_THRESHOLD_PX) {
                    exportAsDrag(c, pressed, COPY);
                    pressed = null;
                }
            }
        };
        c.addMouseListener(gesture);
        c.addMouseMotionListener(gesture);
    }
}
