package dev.segue.bridge.client;

import java.util.List;

/** A finished job: its takes in candidate order (candidate i at index i). */
public record JobResult(String job, List<Take> takes) {
    public JobResult {
        takes = List.copyOf(takes);
    }
}
