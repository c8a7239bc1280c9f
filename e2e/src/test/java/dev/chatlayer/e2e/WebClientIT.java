package dev.chatlayer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web client (web/) in a real browser: Debian's chromium, headless, driven through chromedriver. Two people sign in
 * at the local run's gateway, one asks the other for a conversation, the other accepts, they chat: each sees the
 * other's messages live, the other's presence dot, and the read receipt; one's socket outlives her first token
 * (refreshed in band); then the presence replica holding her socket is killed and the page reconnects and catches up. A screenshot of each is saved in e2e/target/web-client/.
 */
class WebClientIT {

    private static final Path SCREENSHOTS = Path.of("target", "web-client");
    private static LocalStack stack;
    private static WebDriver alice;
    private static WebDriver bob;

    @BeforeAll
    static void start() throws Exception {
        // two replicas of each service: a killed presence replica leaves the other for the sockets to reconnect to
        stack = new LocalStack(2);
        stack.start();
        alice = browser();
        bob = browser();
    }

    @AfterAll
    static void stop() throws Exception {
        for (WebDriver driver : new WebDriver[] { alice, bob }) {
            if (driver != null) {
                driver.quit();
            }
        }
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void twoPeopleChatInTheirBrowsers() throws Exception {
        String a = "alice-" + System.nanoTime(), b = "bob-" + System.nanoTime();
        // alice's tokens last 30 s: her page must refresh hers in band, the socket staying open past the first one's exp
        long aliceSignedIn = System.currentTimeMillis();
        signIn(alice, a, "?ttlSeconds=30");
        signIn(bob, b, "");

        // alice asks bob; bob sees the request (the list is re-read every 5 s) and accepts
        alice.findElement(By.id("participant")).sendKeys(b);
        alice.findElement(By.cssSelector("#new-conversation button")).click();
        click(bob, By.cssSelector("#conversations li button[data-action=accept]"), 20);
        wait(alice, 20).until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#conversations li"), "ACCEPTED"));

        // alice writes; bob, who opens the conversation, reads it and alice sees the receipt
        click(alice, By.cssSelector("#conversations li"), 10);
        send(alice, "hello " + b);
        click(bob, By.cssSelector("#conversations li"), 10);
        wait(bob, 15).until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "hello " + b));
        wait(alice, 15).until(ExpectedConditions.textToBePresentInElementLocated(By.id("receipt"), "seen by " + b));

        // bob answers: it reaches alice's open conversation live, without a reload
        send(bob, "hi " + a);
        wait(alice, 15).until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "hi " + a));

        // each sees the other online (contacts through the accepted conversation)
        wait(alice, 20).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".dot.online[data-user='" + b + "']")));
        wait(bob, 20).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".dot.online[data-user='" + a + "']")));
        assertEquals("online", alice.findElement(By.id("socket-state")).getText());
        assertEquals("", alice.findElement(By.id("problem")).getText(), "no error shown to alice");
        assertEquals("", bob.findElement(By.id("problem")).getText(), "no error shown to bob");

        // past her first token's expiry (and the server's 1008 "token expired" it would bring), the same socket
        // her socket never reconnects during that whole time: refreshed in band
        long firstTokenGone = Math.max(1, aliceSignedIn + 35_000 - System.currentTimeMillis());
        org.awaitility.Awaitility.await().atMost(Duration.ofMillis(firstTokenGone + 10_000)).during(Duration.ofMillis(firstTokenGone))
                .until(() -> "0".equals(reconnects(alice)));
        assertEquals("online", alice.findElement(By.id("socket-state")).getText());

        // the presence replica of alice's socket (her upgrade came first: the gateway's first presence upstream) is
        // killed: her page reconnects with backoff to the other one, and what was sent meanwhile arrives through the
        // history API on the new socket's hello
        stack.kill(stack.port("PRESENCE_PORT"));
        send(bob, "while you were away");
        wait(alice, 30).until(driver -> Integer.parseInt(reconnects(driver)) >= 1);
        wait(alice, 30).until(ExpectedConditions.textToBe(By.id("socket-state"), "online"));
        wait(alice, 15).until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "while you were away"));
        send(bob, "and now live again");
        wait(alice, 15).until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "and now live again"));

        Files.createDirectories(SCREENSHOTS);
        Files.copy(((TakesScreenshot) alice).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve("alice.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(((TakesScreenshot) bob).getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve("bob.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(SCREENSHOTS.resolve("alice.png")) > 1_000);
    }

    /** The list is re-rendered every few seconds: find and click in one step, again if the element was replaced. */
    private static void click(WebDriver driver, By element, int seconds) {
        wait(driver, seconds).ignoring(StaleElementReferenceException.class).ignoring(org.openqa.selenium.NoSuchElementException.class)
                .until(d -> {
                    d.findElement(element).click();
                    return true;
                });
    }

    private static String reconnects(WebDriver driver) {
        return String.valueOf(((org.openqa.selenium.JavascriptExecutor) driver).executeScript("return document.body.dataset.reconnects || '0'"));
    }

    private static void signIn(WebDriver driver, String user, String query) {
        driver.get(stack.gateway() + "/" + query);
        driver.findElement(By.id("user-id")).sendKeys(user);
        driver.findElement(By.cssSelector("#sign-in button")).click();
        wait(driver, 20).until(ExpectedConditions.textToBe(By.id("socket-state"), "online"));
    }

    private static void send(WebDriver driver, String text) {
        wait(driver, 10).until(ExpectedConditions.visibilityOfElementLocated(By.id("content"))).sendKeys(text);
        driver.findElement(By.cssSelector("#send button")).click();
    }

    private static WebDriverWait wait(WebDriver driver, int seconds) {
        return new WebDriverWait(driver, Duration.ofSeconds(seconds));
    }

    /** Debian's chromium and chromedriver (installed by .ci/run), headless, as root only with --no-sandbox. */
    private static WebDriver browser() throws Exception {
        ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--window-size=1100,700",
                "--user-data-dir=" + Files.createTempDirectory("chat-browser"));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }
}
