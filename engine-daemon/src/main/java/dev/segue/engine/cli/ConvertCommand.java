package dev.segue.engine.cli;

import dev.segue.engine.checkpoint.CheckpointException;
import dev.segue.engine.checkpoint.SafetensorsWriter;
import dev.segue.engine.checkpoint.TensorEntry;
import dev.segue.engine.checkpoint.TorchCheckpointReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a published torch checkpoint (.pth.tar) to safetensors, tensor by tensor, "
                + "keeping names and dtypes (fp16 parts stay fp16).")
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "The .pth.tar file.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The .safetensors file to write.")
    Path out;

    @Override
    public Integer call() {
        try (TorchCheckpointReader reader = TorchCheckpointReader.open(in)) {
            List<TensorEntry> tensors = new ArrayList<>();
            for (String name : reader.names()) {
                tensors.add(reader.get(name));
            }
            SafetensorsWriter.write(out, tensors, Map.of("format", "jukebox-state-dict", "converted-from",
                    in.getFileName().toString()));
            System.out.println("wrote " + tensors.size() + " tensors to " + out);
            return 0;
        } catch (CheckpointException | IOException e) {
            System.err.println("convert: " + e.getMessage());
            return 1;
        }
    }
}
