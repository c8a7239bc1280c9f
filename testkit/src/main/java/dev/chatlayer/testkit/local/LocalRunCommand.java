package dev.chatlayer.testkit.local;

import dev.chatlayer.testkit.keys.DevKeys;
import dev.chatlayer.testkit.keys.Tokens;
import dev.chatlayer.testkit.servers.LocalMongo;
import dev.chatlayer.testkit.servers.LocalRedis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The local run's helper, started by {@code deploy/run-local.sh}:
 * <pre>
 *   java -jar testkit/target/testkit-*.jar keys  DIR              write a dev RS256 key pair into DIR (once)
 *   java -jar testkit/target/testkit-*.jar service-keys DIR       write a key pair per service into DIR/SERVICE (once)
 *   java -jar testkit/target/testkit-*.jar token DIR USER [HOURS] print a token for USER
 *   java -jar testkit/target/testkit-*.jar web-server PORT KEYS_DIR WEB_DIR  serve web/ and dev tokens on 127.0.0.1:PORT
 *   java -jar testkit/target/testkit-*.jar redis PORT [DIR [ACL]] run our own Redis on PORT until killed (DIR: with AOF
 *                                                                  there; ACL: its users from that ACL file)
 *   java -jar testkit/target/testkit-*.jar mongo PORT [MS]        run an in-memory MongoDB-compatible server on PORT until killed
 *                                                                  (MS: every write answered MS later, like a journaled commit)
 *   java -jar testkit/target/testkit-*.jar mongo-file PORT FILE   the same, keeping its data in FILE (survives restarts)
 * </pre>
 */
public final class LocalRunCommand {

    private LocalRunCommand() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            usage();
        }
        switch (args[0]) {
            case "keys" -> System.out.println(DevKeys.ensure(Path.of(args[1])));
            case "service-keys" -> {
                DevKeys.ensureServiceKeys(Path.of(args[1]));
                System.out.println(args[1]);
            }
            case "token" -> {
                if (args.length < 3) {
                    usage();
                }
                Duration ttl = Duration.ofHours(args.length > 3 ? Long.parseLong(args[3]) : 12);
                System.out.println(Tokens.mint(DevKeys.privateKey(Path.of(args[1])), Tokens.DEFAULT_ISSUER, args[2], ttl));
            }
            case "web-server" -> {
                if (args.length < 4) {
                    usage();
                }
                DevWebServer.start(Integer.parseInt(args[1]), DevKeys.privateKey(Path.of(args[2])), Path.of(args[3]).toAbsolutePath().normalize());
                System.out.println("web client and dev tokens on http://127.0.0.1:" + args[1] + "/ (local run only)");
                new CountDownLatch(1).await();
            }
            case "redis" -> {
                if (args.length > 3) {
                    LocalRedis.startPersistent(Integer.parseInt(args[1]), Path.of(args[2]), "256mb", Path.of(args[3]));
                } else if (args.length > 2) {
                    LocalRedis.startPersistent(Integer.parseInt(args[1]), Path.of(args[2]), "256mb");
                } else {
                    LocalRedis.start(Integer.parseInt(args[1]));
                }
                System.out.println("redis listening on 127.0.0.1:" + args[1]);
                new CountDownLatch(1).await();
            }
            case "mongo" -> {
                LocalMongo mongo = LocalMongo.start(Integer.parseInt(args[1]),
                        Duration.ofMillis(args.length > 2 ? Long.parseLong(args[2]) : 0));
                System.out.println("mongodb-compatible server listening on " + mongo.connectionString());
                new CountDownLatch(1).await();
            }
            case "mongo-file" -> {
                if (args.length < 3) {
                    usage();
                }
                LocalMongo mongo = LocalMongo.startFileBacked(Integer.parseInt(args[1]), Path.of(args[2]));
                System.out.println("mongodb-compatible server listening on " + mongo.connectionString() + ", data in " + args[2]);
                new CountDownLatch(1).await();
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: keys DIR | token DIR USER [HOURS] | web-server PORT KEYS_DIR WEB_DIR | redis PORT [DATA_DIR [ACL_FILE]] | mongo PORT [COMMIT_LATENCY_MS] | mongo-file PORT FILE");
        System.exit(2);
    }
}
