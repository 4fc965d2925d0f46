package io.babelflow.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Fails the build when a schema change would make released data unreadable. */
class SchemaCompatibilityTest {

    @Test
    void currentSchemasReadEveryReleasedVersion() {
        for (Class<? extends SpecificRecord> type : Events.ALL) {
            Schema current = Events.schemaOf(type);
            List<Schema> released = SchemaHistory.released(current.getName());
            assertFalse(released.isEmpty(), "no released version of " + current.getName()
                    + " under io/babelflow/schemas/released/");
            for (int v = 0; v < released.size(); v++) {
                SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(current, released.get(v));
                assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(),
                        current.getName() + " cannot read released v" + (v + 1) + ": " + result.getDescription());
            }
        }
    }

    @Test
    void anIncompatibleChangeIsDetected() {
        Schema released = SchemaHistory.released("TrainStep").get(0);
        // a new field without a default cannot be filled in from old records
        Schema changed = new Schema.Parser().parse(released.toString().replace(
                "\"name\":\"tokens\"", "\"name\":\"tokenz\""));
        assertEquals(SchemaCompatibilityType.INCOMPATIBLE,
                SchemaCompatibility.checkReaderWriterCompatibility(changed, released).getType());
    }

    @Test
    void everyFieldIsDocumented() {
        for (Class<? extends SpecificRecord> type : Events.ALL) {
            assertDocumented(Events.schemaOf(type));
        }
    }

    private static void assertDocumented(Schema record) {
        for (Schema.Field field : record.getFields()) {
            assertFalse(field.doc() == null || field.doc().isBlank(), record.getName() + "." + field.name() + " has no doc");
            for (Schema nested : field.schema().isUnion() ? field.schema().getTypes() : List.of(field.schema())) {
                Schema items = nested.getType() == Schema.Type.ARRAY ? nested.getElementType() : nested;
                if (items.getType() == Schema.Type.RECORD) {
                    assertDocumented(items);
                }
            }
        }
    }
}
