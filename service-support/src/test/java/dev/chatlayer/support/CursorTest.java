package dev.chatlayer.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

    @Test
    void aCursorReadsBackAsTheSamePosition() {
        Cursor position = new Cursor(Instant.parse("2026-11-26T10:15:30.123Z"), "6745a1b2c3d4e5f601234567");
        assertEquals(position, Cursor.parse(position.encode(), "cursor"));
    }

    @Test
    void theTextIsUrlSafeAndCarriesNoPadding() {
        String text = new Cursor(Instant.ofEpochMilli(1), "6745a1b2c3d4e5f601234567").encode();
        assertEquals(text, text.replaceAll("[^A-Za-z0-9_-]", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "not base64!", "bm90LWEtY3Vyc29y" /* not-a-cursor */, "MTIzOm5vdGFuaWQ" /* 123:notanid */ })
    void anythingElseIsA400NamingTheField(String text) {
        ApiException e = assertThrows(ApiException.class, () -> Cursor.parse(text, "before"));
        assertEquals(400, e.status());
        assertEquals("before", e.field());
    }

    @Test
    void aTimeThatIsNotANumberIsRefused() {
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString("soon:6745a1b2c3d4e5f601234567".getBytes());
        assertEquals("cursor", assertThrows(ApiException.class, () -> Cursor.parse(text, "cursor")).field());
    }
}
