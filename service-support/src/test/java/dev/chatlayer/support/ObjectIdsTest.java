package dev.chatlayer.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ObjectIdsTest {

    @Test
    void anIdAsMongoDbWritesItPasses() {
        String id = new ObjectId().toHexString();
        assertEquals(id, ObjectIds.require(id, "conversationId"));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { "123", "6745A1B2C3D4E5F601234567", "6745a1b2c3d4e5f60123456z", "6745a1b2c3d4e5f6012345678" })
    void anythingElseIsA400NamingTheField(String id) {
        ApiException e = assertThrows(ApiException.class, () -> ObjectIds.require(id, "conversationId"));
        assertEquals(400, e.status());
        assertEquals("conversationId", e.field());
    }
}
