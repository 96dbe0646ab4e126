package org.diredi.vision.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassAliasesTest {

    @Test
    void vocWritersNamesMapToTheVocClasses() {
        ClassList voc = ClassList.VOC;
        int plant = voc.indexOf("pottedplant");
        int tv = voc.indexOf("tvmonitor");
        for (String n : List.of("pottedplant", "potted plant", "Potted_Plant", "potted-plant", "POTTED PLANT")) {
            assertEquals(plant, voc.lookup(n), n);
        }
        for (String n : List.of("tvmonitor", "tv/monitor", "TV-Monitor", "tv monitor", "tv", "monitor")) {
            assertEquals(tv, voc.lookup(n), n);
        }
        // COCO's names of the VOC classes
        assertEquals(voc.indexOf("aeroplane"), voc.lookup("airplane"));
        assertEquals(voc.indexOf("motorbike"), voc.lookup("motorcycle"));
        assertEquals(voc.indexOf("sofa"), voc.lookup("couch"));
        assertEquals(voc.indexOf("diningtable"), voc.lookup("dining table"));
        assertEquals(voc.indexOf("person"), voc.lookup("Person"));
        assertEquals(-1, voc.lookup("unicorn"));
        assertEquals(-1, voc.lookup("potted"));
    }

    @Test
    void fashionMnistNamesMapToFashionScenes() {
        ClassList f = ClassList.FASHION;
        assertEquals(f.indexOf("tshirt"), f.lookup("T-shirt/top"));
        assertEquals(f.indexOf("tshirt"), f.lookup("t-shirt"));
        assertEquals(f.indexOf("boot"), f.lookup("Ankle boot"));
        assertEquals(f.indexOf("sandal"), f.lookup("Sandal"));
    }

    @Test
    void anExactNameWinsAndAnAmbiguousOneMatchesNothing() {
        ClassList l = new ClassList(List.of("tv", "tvmonitor", "Cat", "cat"));
        assertEquals(0, l.lookup("tv"));
        assertEquals(1, l.lookup("tv/monitor"));
        assertEquals(-1, l.lookup("monitor")); // a synonym of both tv and tvmonitor
        assertEquals(2, l.lookup("Cat"));
        assertEquals(3, l.lookup("cat"));
        assertEquals(-1, l.lookup("CAT")); // equal to two names once case is ignored
    }

    @Test
    void normaliseIgnoresCaseSpacesUnderscoresDashesAndSlashes() {
        assertEquals("pottedplant", ClassAliases.normalise(" Potted_Plant "));
        assertEquals("tvmonitor", ClassAliases.normalise("TV / Monitor"));
        assertEquals("tshirttop", ClassAliases.normalise("T-shirt/top"));
    }
}
