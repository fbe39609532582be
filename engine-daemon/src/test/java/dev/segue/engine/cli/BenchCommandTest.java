package dev.segue.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {
    private static BenchCommand parsed(String... args) {
        BenchCommand bench = new BenchCommand();
        new CommandLine(bench).parseArgs(args);
        return bench;
    }

    @Test
    void takeCountsComeFromTakesOrTheProtocolsWordAndDefaultToOneAndFour() {
        assertArrayEquals(new int[] {1, 4}, parsed("engine").takeCounts());
        assertArrayEquals(new int[] {2, 8}, parsed("engine", "--takes", "2,8").takeCounts());
        assertArrayEquals(new int[] {3}, parsed("engine", "--candidates", "3").takeCounts());
    }

    @Test
    void aBenchOfJobsTakesOneTakeCountAndDefaultsToFour() {
        assertEquals(4, parsed("sketch").takesPerJob());
        assertEquals(2, parsed("sketch", "--takes", "2").takesPerJob());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parsed("cancel", "--takes", "1,4").takesPerJob());
        assertEquals("bench cancel runs jobs of one take count: give --takes N", e.getMessage());
    }
}
