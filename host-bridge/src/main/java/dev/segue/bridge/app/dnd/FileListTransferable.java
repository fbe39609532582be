package dev.segue.bridge.app.dnd;

import java.awt.datatransfer.DataFlavor;
import java.awt.datatransfer.Transferable;
import java.awt.datatransfer.UnsupportedFlavorException;
import java.io.File;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Files handed to another application by drag and drop: as Java's file list (Java targets, and what
 * AWT turns into each platform's native file drag) and as a {@code text/uri-list} string, which X11
 * targets such as GTK file managers and Linux DAWs ask for.
 */
public final class FileListTransferable implements Transferable {
    static final DataFlavor URI_LIST = uriListFlavor();

    private final List<File> files;

    public FileListTransferable(List<File> files) {
        this.files = List.copyOf(files);
    }

    private static DataFlavor uriListFlavor() {
        try {
            return new DataFlavor("text/uri-list;class=java.lang.String");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e); // java.lang.String is always there
        }
    }

    @Override
    public DataFlavor[] getTransferDataFlavors() {
        return new DataFlavor[] {DataFlavor.javaFileListFlavor, URI_LIST, DataFlavor.stringFlavor};
    }

    @Override
    public boolean isDataFlavorSupported(DataFlavor flavor) {
        for (DataFlavor f : getTransferDataFlavors()) {
            if (f.equals(flavor)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Object getTransferData(DataFlavor flavor) throws UnsupportedFlavorException {
        if (DataFlavor.javaFileListFlavor.equals(flavor)) {
            return files;
        } else if (URI_LIST.equals(flavor)) {
            // RFC 2483: one URI a line, CRLF-terminated.
            return files.stream().map(f -> f.toURI().toASCIIString() + "\r\n").collect(Collectors.joining());
        } else if (DataFlavor.stringFlavor.equals(flavor)) {
            return files.stream().map(File::getAbsolutePath).collect(Collectors.joining("\n"));
        }
        throw new UnsupportedFlavorException(flavor);
    }
}
