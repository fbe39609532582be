package dev.segue.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WindowPlanTest {

    @Test
    void aRequestThatFitsIsOneWindowWithThePrimeAsContext() {
        WindowPlan plan = WindowPlan.of(100, 150, 256, 0.125, 1);
        assertEquals(List.of(new WindowPlan.Window(0, 100, 150)), plan.windows());
    }

    @Test
    void windowsCoverEveryNewTokenOnceWithinTheContextAndOnTheUpperGrid() {
        int[][] cases = {{300, 2000, 256, 1}, {64, 3000, 256, 4}, {4, 700, 256, 4}, {1000, 1001, 64, 8}, {8, 9000, 512, 4}};
        for (int[] c : cases) {
            for (double fraction : new double[] {0.125, 0.5, 1.0}) {
                WindowPlan plan = WindowPlan.of(c[0], c[1], c[2], fraction, c[3]);
                int known = c[0];
                int hop = Math.max(1, Math.min(c[2] - 1, (int) Math.round(c[2] * fraction)));
                for (WindowPlan.Window w : plan.windows()) {
                    assertEquals(known, w.known(), "windows continue where the last stopped");
                    assertTrue(w.end() - w.start() <= c[2], "window within the context");
                    assertEquals(0, w.start() % c[3], "starts on a code of the level above");
                    assertTrue(w.newTokens() >= 1);
                    assertTrue(w.contextTokens() >= 0);
                    assertTrue(w.newTokens() <= Math.max(Math.max(hop, c[2] / 2), c[2] - w.contextTokens()));
                    known = w.end();
                }
                assertEquals(c[1], known, "the last window ends at the total");
            }
        }
    }

    @Test
    void theFirstWindowTakesUpToHalfTheContextThenTheTopLevelMovesByItsHopFraction() {
        WindowPlan plan = WindowPlan.of(224, 224 + 128 + 32 * 4, 256, 0.125, 1);
        assertEquals(5, plan.windows().size());
        assertEquals(new WindowPlan.Window(96, 224, 352), plan.windows().get(0));
        for (WindowPlan.Window w : plan.windows().subList(1, 5)) {
            assertEquals(224, w.contextTokens());
            assertEquals(32, w.newTokens());
        }
    }

    @Test
    void impossiblePlansAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> WindowPlan.of(10, 10, 256, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> WindowPlan.of(10, 20, 256, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> WindowPlan.of(10, 20, 255, 0.5, 4));
    }
}
