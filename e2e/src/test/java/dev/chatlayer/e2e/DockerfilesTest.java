package dev.chatlayer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * What the native image's recipe must keep true but no build here can show (no GraalVM/Mandrel and no registry on
 * these machines): read from the Dockerfile. The JVM image is built and run by {@link ContainerImagesIT}.
 */
class DockerfilesTest {

    private static final Path DOCKER = Path.of("..", "deploy", "docker");
    private static final Pattern UBI_MAJOR = Pattern.compile("ubi(\\d+)");

    @Test
    void theNativeRuntimeIsOfTheSameUbiMajorAsItsBuilder() throws IOException {
        List<String> bases = Files.readAllLines(DOCKER.resolve("Dockerfile.native")).stream().filter(line -> line.startsWith("FROM "))
                .map(line -> line.split("\\s+")[1]).toList();
        assertEquals(2, bases.size(), "a builder and a runtime: " + bases);
        // an executable linked against a newer glibc than the runtime's does not start (UBI 9 builder on UBI 8 did not)
        assertEquals(ubiMajor(bases.get(0)), ubiMajor(bases.get(1)), "builder and runtime: " + bases);
    }

    @Test
    void theNativeProcessHasAHeapCeilingBelowTheProductionLimit() throws IOException {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile.native"));
        Matcher xmx = Pattern.compile("CMD \\[\"-Xmx(\\d+)m\"\\]").matcher(dockerfile);
        assertTrue(xmx.find(), "a -Xmx for the native process");
        String production = Files.readString(Path.of("..", "k8s", "overlays", "production", "kustomization.yaml"));
        Matcher limit = Pattern.compile("limits: \\{memory: (\\d+)Mi\\}").matcher(production);
        assertTrue(limit.find(), "the production memory limit");
        assertTrue(Integer.parseInt(xmx.group(1)) <= Integer.parseInt(limit.group(1)) * 6 / 10,
                "heap " + xmx.group(1) + "m leaves room in a " + limit.group(1) + "Mi container");
    }

    private static String ubiMajor(String image) {
        Matcher m = UBI_MAJOR.matcher(image);
        assertTrue(m.find(), image + " names its UBI major");
        return m.group(1);
    }
}
