package org.diredi.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.Map;
import org.diredi.vision.config.ConfigFiles;
import org.junit.jupiter.api.Test;

/** Typed backbone configs, named construction, and the manifest form files already on disk use. */
class ModelConfigTest {

    /** The model part of a manifest as written before the typed backbone configs (models/pretrained). */
    static final String CPU_TUTOR_JSON = """
            {
              "name" : "cpu/tutor",
              "backbone" : "resnet",
              "resnetDepths" : [ 1, 2, 3, 1 ],
              "resnetWidth" : 32,
              "mobilenetWidth" : 0.0,
              "mobilenetDepth" : 0.0,
              "fpnChannels" : 96,
              "headConvs" : 3,
              "gnGroups" : 16,
              "inputSize" : 160
            }""";

    static final String CPU_EDGE_JSON = """
            {
              "name" : "cpu/edge",
              "backbone" : "mobilenetv2",
              "resnetDepths" : null,
              "resnetWidth" : 0,
              "mobilenetWidth" : 0.5,
              "mobilenetDepth" : 0.5,
              "fpnChannels" : 48,
              "headConvs" : 2,
              "gnGroups" : 16,
              "inputSize" : 160
            }""";

    @Test
    void manifestsKeepTheirFlatShapeInBothDirections() throws Exception {
        for (Map.Entry<String, String> e : Map.of("cpu/tutor", CPU_TUTOR_JSON, "cpu/edge", CPU_EDGE_JSON).entrySet()) {
            ModelConfig preset = Presets.get(e.getKey());
            assertEquals(e.getValue(), ConfigFiles.JSON.writeValueAsString(preset));
            assertEquals(preset, ConfigFiles.JSON.readValue(e.getValue(), ModelConfig.class));
        }
        for (String name : Presets.names()) {
            ModelConfig c = Presets.get(name);
            assertEquals(c, ConfigFiles.JSON.readValue(ConfigFiles.JSON.writeValueAsString(c), ModelConfig.class));
        }
    }

    @Test
    void storedFormsAreCheckedLikeBefore() {
        var vgg = assertThrows(JsonMappingException.class, () -> ConfigFiles.JSON.readValue(
                CPU_EDGE_JSON.replace("\"mobilenetv2\"", "\"vgg\""), ModelConfig.class));
        assertTrue(vgg.getMessage().contains("model cpu/edge: backbone must be 'resnet' or 'mobilenetv2', got 'vgg'"),
                vgg.getMessage());
        var noDepths = assertThrows(JsonMappingException.class, () -> ConfigFiles.JSON.readValue(
                CPU_TUTOR_JSON.replace("[ 1, 2, 3, 1 ]", "null"), ModelConfig.class));
        assertTrue(noDepths.getMessage().contains("model cpu/tutor: resnet needs 4 stage depths"),
                noDepths.getMessage());
        assertThrows(JsonMappingException.class, () -> ConfigFiles.JSON.readValue(
                CPU_EDGE_JSON.replace("\"name\"", "\"extra\" : 1, \"name\""), ModelConfig.class));
    }

    @Test
    void presetsReadAsBeforeInReports() {
        assertEquals("paper/large(resnet [3, 4, 23, 3] w64, fpn 256, head 4x gn32, input 512)",
                Presets.get("paper/large").toString());
        assertEquals("paper/edge(mobilenetv2 x1.0 d1.0, fpn 256, head 4x gn32, input 512)",
                Presets.get("paper/edge").toString());
        assertEquals("cpu/tutor(resnet [1, 2, 3, 1] w32, fpn 96, head 3x gn16, input 160)",
                Presets.get("cpu/tutor").toString());
        assertEquals("cpu/edge-bn(mobilenetv2 x0.5 d0.5, fpn 48, head 2x bn per level, input 160)",
                Presets.get("cpu/edge-bn").toString());
        assertEquals("tiny/edge(mobilenetv2 x0.35 d0.35, fpn 16, head 1x gn8, input 96)",
                Presets.get("tiny/edge").toString());
    }

    @Test
    void equalityIsByValue() {
        ModelConfig a = ModelConfig.fcos("m").resnet(1, 1, 1, 1).width(16).fpn(32).headConvs(1).groupNorm(8).input(96);
        ModelConfig b = ModelConfig.fcos("m").resnet(1, 1, 1, 1).width(16).fpn(32).headConvs(1).groupNorm(8).input(96);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, ModelConfig.fcos("m").resnet(1, 1, 2, 1).width(16).fpn(32).headConvs(1).groupNorm(8)
                .input(96));
        assertNotEquals(Presets.get("cpu/edge"), Presets.get("cpu/edge-bn"));
        int[] depths = {1, 1, 1, 1};
        ResNetConfig r = new ResNetConfig(depths, 16);
        depths[0] = 9;
        r.depths()[1] = 9;
        assertEquals(new ResNetConfig(new int[] {1, 1, 1, 1}, 16), r, "depths are copied in and out");
    }

    @Test
    void eachKindBuildsItsOwnBackbone() {
        assertInstanceOf(ResNetBackbone.class, Presets.get("tiny/tutor").backbone().build());
        assertInstanceOf(MobileNetV2Backbone.class, Presets.get("tiny/edge").backbone().build());
        assertEquals(new MobileNetV2Config(1.0f, 1.0f), Presets.get("paper/edge").backbone());
        assertEquals(ResNetConfig.PAPER_WIDTH, ((ResNetConfig) Presets.get("paper/tutor").backbone()).width());
    }
}
