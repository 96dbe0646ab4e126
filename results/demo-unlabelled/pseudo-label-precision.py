# Pseudo-labels of boot against the scenes' own boot labels (which the manufacturer's copy lacks): VOC IoU >= 0.5.
import json, glob, re, sys
job = sys.argv[1]
d = json.load(open(glob.glob(job + '/pseudo-labels.json')[0]))
def boxes(i):
    x = open('work/demo/fashion-scenes/Annotations/%s.xml' % i).read()
    out = []
    for o in re.findall(r'<object>(.*?)</object>', x, re.S):
        if re.search(r'<name>boot</name>', o):
            v = [float(re.search('<%s>(.*?)</%s>' % (t, t), o).group(1)) for t in ('xmin', 'ymin', 'xmax', 'ymax')]
            out.append((v[0] - 1, v[1] - 1, v[2], v[3]))
    return out
def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0])); iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    i = ix * iy; u = (a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - i
    return i / u if u > 0 else 0
n = ok = 0; gt = 0
for img, dets in d['images'].items():
    g = boxes(img); gt += len(g)
    for det in dets:
        b = det['box']; n += 1
        ok += any(iou((b['x1'], b['y1'], b['x2'], b['y2']), x) >= 0.5 for x in g)
print('pseudo-labels %d, correct (IoU >= 0.5 with a boot the scenes label) %d, boots in those %d images %d' % (n, ok, len(d['images']), gt))
