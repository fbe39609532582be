package dev.segue.tests;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The system programs a test drives (hosts, an X server), found on the PATH or in the usual Debian places. */
final class Programs {
    private Programs() {}

    /** The program's path; a test that needs a missing one fails saying which Debian package has it. */
    static String require(String program, String debianPackage) {
        String path = which(program);
        if (path == null) {
            throw new AssertionError(program + " is not installed: this test needs it (Debian: apt-get install "
                    + debianPackage + "; ./segue test installs it)");
        }
        return path;
    }

    /** The program's path, or null. */
    static String which(String program) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/local/bin"));
        for (String d : dirs) {
            Path p = Path.of(d.isEmpty() ? "." : d, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
