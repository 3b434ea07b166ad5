/// The `model.py` that `entrannas export` writes: DARTS' operations, cells and networks in plain
/// PyTorch, with DARTS' module names (so a reference state dict loads unchanged), generalised to
/// nodes with any number of inputs, plus a safetensors reader and the `check`, `torchscript` and
/// `onnx` commands (docs/pytorch.md). Our own code; it depends on nothing but torch.
enum PyTorchModelSource {
    static let text = #"""
"""A network found by entrannas, in plain PyTorch.

Written by `entrannas export` next to `state_dict.safetensors` (the weights) and `network.json`
(the constructor arguments and the input normalisation). The modules, their order and their
names are those of DARTS' reference model.py, so a state dict moves between the two unchanged;
a cell node may have any number of inputs (EnTranNAS-DST genotypes).

    import model
    net = model.load("path/to/export")          # NetworkCIFAR or NetworkImageNet, in eval mode
    logits, _ = net(images)                     # images normalised with network.json's mean/std

or, by hand, with the safetensors package:

    from safetensors.torch import load_file
    genotype = model.genotype_from_json(json.load(open("genotype.json")))
    net = model.NetworkCIFAR(16, 10, 5, True, genotype, input_channels=1)
    net.load_state_dict(load_file("state_dict.safetensors"))

Commands: `python3 model.py check DIR FILE` compares with entrannas' logits stored in FILE;
`python3 model.py torchscript DIR OUT.pt` and `python3 model.py onnx DIR OUT.onnx` write
deployment files (inference mode, main logits only).
"""
import json
import os
import sys
from collections import namedtuple

import torch
import torch.nn as nn
import torch.nn.functional as F

Genotype = namedtuple("Genotype", "normal normal_concat reduce reduce_concat")


class ReLUConvBN(nn.Module):
    def __init__(self, c_in, c_out, kernel_size, stride, padding, affine=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out, affine=affine))

    def forward(self, x):
        return self.op(x)


class DilConv(nn.Module):
    def __init__(self, c_in, c_out, kernel_size, stride, padding, dilation, affine=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel_size, stride, padding, dilation=dilation, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=affine))

    def forward(self, x):
        return self.op(x)


class SepConv(nn.Module):
    def __init__(self, c_in, c_out, kernel_size, stride, padding, affine=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel_size, stride, padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_in, 1, bias=False),
            nn.BatchNorm2d(c_in, affine=affine),
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_in, kernel_size, 1, padding, groups=c_in, bias=False),
            nn.Conv2d(c_in, c_out, 1, bias=False),
            nn.BatchNorm2d(c_out, affine=affine))

    def forward(self, x):
        return self.op(x)


class Identity(nn.Module):
    def forward(self, x):
        return x


class Zero(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        return x.mul(0.0) if self.stride == 1 else x[:, :, ::self.stride, ::self.stride].mul(0.0)


class FactorizedReduce(nn.Module):
    """Halves the size with two offset 1x1 stride-2 convolutions. An odd side is padded on the
    shifted half, so both halves have ceil(H/2) rows (DARTS' own fails on odd sides)."""

    def __init__(self, c_in, c_out, affine=True):
        super().__init__()
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, padding=0, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, padding=0, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=affine)

    def forward(self, x):
        x = self.relu(x)
        shifted = x[:, :, 1:, 1:]
        if x.size(2) % 2 == 1 or x.size(3) % 2 == 1:
            shifted = F.pad(shifted, (0, x.size(3) % 2, 0, x.size(2) % 2))
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1))


OPS = {
    "none": lambda c, stride: Zero(stride),
    "avg_pool_3x3": lambda c, stride: nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False),
    "max_pool_3x3": lambda c, stride: nn.MaxPool2d(3, stride=stride, padding=1),
    "skip_connect": lambda c, stride: Identity() if stride == 1 else FactorizedReduce(c, c),
    "sep_conv_3x3": lambda c, stride: SepConv(c, c, 3, stride, 1),
    "sep_conv_5x5": lambda c, stride: SepConv(c, c, 5, stride, 2),
    "sep_conv_7x7": lambda c, stride: SepConv(c, c, 7, stride, 3),
    "dil_conv_3x3": lambda c, stride: DilConv(c, c, 3, stride, 2, 2),
    "dil_conv_5x5": lambda c, stride: DilConv(c, c, 5, stride, 4, 2),
    "conv_7x1_1x7": lambda c, stride: nn.Sequential(
        nn.ReLU(inplace=False),
        nn.Conv2d(c, c, (1, 7), stride=(1, stride), padding=(0, 3), bias=False),
        nn.Conv2d(c, c, (7, 1), stride=(stride, 1), padding=(3, 0), bias=False),
        nn.BatchNorm2d(c)),
    "conv_1x1": lambda c, stride: ReLUConvBN(c, c, 1, stride, 0),
    "conv_3x3": lambda c, stride: ReLUConvBN(c, c, 3, stride, 1),
}


def drop_path(x, drop_prob):
    keep = 1.0 - drop_prob
    mask = torch.bernoulli(torch.full((x.size(0), 1, 1, 1), keep, device=x.device, dtype=x.dtype))
    return x.div(keep).mul(mask)


def nodes_of(cell):
    """A cell's inputs per node: DARTS' flat list of (op, input) pairs, two per node, or a list
    with one list of (op, input) per node (any number of inputs)."""
    cell = list(cell)
    if cell and isinstance(cell[0][0], str):
        return [[tuple(cell[i]), tuple(cell[i + 1])] for i in range(0, len(cell), 2)]
    return [[tuple(entry) for entry in node] for node in cell]


class Cell(nn.Module):
    def __init__(self, genotype, c_prev_prev, c_prev, c, reduction, reduction_prev):
        super().__init__()
        if reduction_prev:
            self.preprocess0 = FactorizedReduce(c_prev_prev, c)
        else:
            self.preprocess0 = ReLUConvBN(c_prev_prev, c, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(c_prev, c, 1, 1, 0)
        nodes = nodes_of(genotype.reduce if reduction else genotype.normal)
        self._concat = list(genotype.reduce_concat if reduction else genotype.normal_concat)
        self.multiplier = len(self._concat)
        self._inputs = [[index for _, index in node] for node in nodes]
        self._ops = nn.ModuleList()
        for node in nodes:
            for name, index in node:
                self._ops.append(OPS[name](c, 2 if reduction and index < 2 else 1))

    def forward(self, s0, s1, drop_prob=0.0):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        k = 0
        for inputs in self._inputs:
            node = None
            for index in inputs:
                op = self._ops[k]
                h = op(states[index])
                if self.training and drop_prob > 0.0 and not isinstance(op, Identity):
                    h = drop_path(h, drop_prob)
                node = h if node is None else node + h
                k += 1
            states.append(node)
        return torch.cat([states[i] for i in self._concat], dim=1)


class AuxiliaryHead(nn.Module):
    """DARTS' AuxiliaryHeadCIFAR (batch_norm=True) or AuxiliaryHeadImageNet (False). DARTS'
    5x5 pooling is sized for one input (8x8 -> 2x2); other sizes pool adaptively to 2x2."""

    def __init__(self, c, num_classes, stride, batch_norm):
        super().__init__()
        self.kernel, self.stride = 5, stride
        layers = [nn.ReLU(inplace=False), nn.Identity(), nn.Conv2d(c, 128, 1, bias=False), nn.BatchNorm2d(128),
                  nn.ReLU(inplace=False), nn.Conv2d(128, 768, 2, bias=False)]
        if batch_norm:
            layers.append(nn.BatchNorm2d(768))
        layers.append(nn.ReLU(inplace=False))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(768, num_classes)

    def forward(self, x):
        x = self.features[0](x)
        h, w = x.size(2), x.size(3)
        if h >= 5 and w >= 5 and (h - 5) // self.stride + 1 == 2 and (w - 5) // self.stride + 1 == 2:
            x = F.avg_pool2d(x, 5, stride=self.stride, padding=0, count_include_pad=False)
        else:
            x = F.adaptive_avg_pool2d(x, 2)
        for layer in self.features[2:]:
            x = layer(x)
        return self.classifier(x.view(x.size(0), -1))


class Network(nn.Module):
    def _cells(self, genotype, layers, c_prev_prev, c_prev, c_curr, reduction_prev):
        self.cells = nn.ModuleList()
        c_to_auxiliary = c_prev
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c_curr *= 2
            cell = Cell(genotype, c_prev_prev, c_prev, c_curr, reduction, reduction_prev)
            reduction_prev = reduction
            self.cells.append(cell)
            c_prev_prev, c_prev = c_prev, cell.multiplier * c_curr
            if i == 2 * layers // 3:
                c_to_auxiliary = c_prev
        return c_prev, c_to_auxiliary

    def forward(self, input):
        logits_aux = None
        s0, s1 = self._stem(input)
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1, self.drop_path_prob)
            if i == 2 * self._layers // 3 and self._auxiliary and self.training:
                logits_aux = self.auxiliary_head(s1)
        out = self.global_pooling(s1)
        return self.classifier(out.view(out.size(0), -1)), logits_aux


class NetworkCIFAR(Network):
    """DARTS' NetworkCIFAR; input_channels and stem_multiplier were fixed (3, 3) there."""

    def __init__(self, C, num_classes, layers, auxiliary, genotype, input_channels=3, stem_multiplier=3):
        super().__init__()
        self._layers, self._auxiliary, self.drop_path_prob = layers, auxiliary, 0.0
        c_curr = stem_multiplier * C
        self.stem = nn.Sequential(nn.Conv2d(input_channels, c_curr, 3, padding=1, bias=False), nn.BatchNorm2d(c_curr))
        c_prev, c_aux = self._cells(genotype, layers, c_curr, c_curr, C, False)
        if auxiliary:
            self.auxiliary_head = AuxiliaryHead(c_aux, num_classes, 3, True)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def _stem(self, input):
        s = self.stem(input)
        return s, s


class NetworkImageNet(Network):
    """DARTS' NetworkImageNet; pools adaptively (DARTS: AvgPool2d(7), the same at 224 pixels)."""

    def __init__(self, C, num_classes, layers, auxiliary, genotype, input_channels=3):
        super().__init__()
        self._layers, self._auxiliary, self.drop_path_prob = layers, auxiliary, 0.0
        self.stem0 = nn.Sequential(
            nn.Conv2d(input_channels, C // 2, kernel_size=3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(C // 2), nn.ReLU(inplace=False),
            nn.Conv2d(C // 2, C, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(C))
        self.stem1 = nn.Sequential(
            nn.ReLU(inplace=False), nn.Conv2d(C, C, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(C))
        c_prev, c_aux = self._cells(genotype, layers, C, C, C, True)
        if auxiliary:
            self.auxiliary_head = AuxiliaryHead(c_aux, num_classes, 2, False)
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_prev, num_classes)

    def _stem(self, input):
        s0 = self.stem0(input)
        return s0, self.stem1(s0)


def genotype_from_json(obj):
    """The genotype of entrannas' genotype.json (and of network.json)."""
    def entry(e):
        return (e["op"], int(e["input"])) if isinstance(e, dict) else (e[0], int(e[1]))

    def cell(nodes):
        return [[entry(e) for e in node] for node in nodes]
    return Genotype(cell(obj["normal"]), list(obj["normal_concat"]), cell(obj["reduce"]), list(obj["reduce_concat"]))


def load_safetensors(path):
    """The tensors of a safetensors file: through the safetensors package when installed, else
    by reading the format (8-byte header length, JSON header, raw little-endian data)."""
    try:
        from safetensors.torch import load_file
        return load_file(path)
    except ImportError:
        pass
    dtypes = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32,
              "U8": torch.uint8, "BOOL": torch.bool}
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    if n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the file")
    header = json.loads(data[8:8 + n])
    body = memoryview(data)[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        if not 0 <= start <= end <= len(body):
            raise ValueError(f"{path}: tensor {name} lies outside the file")
        dtype = dtypes[info["dtype"]]
        raw = bytes(body[start:end])
        t = torch.frombuffer(bytearray(raw), dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        out[name] = t.reshape(info["shape"]).clone()
    return out


def build(folder):
    """The network described by FOLDER/network.json, with fresh weights."""
    with open(os.path.join(folder, "network.json")) as f:
        spec = json.load(f)
    genotype = genotype_from_json(spec["genotype"])
    if spec["class"] == "NetworkImageNet":
        return NetworkImageNet(spec["C"], spec["num_classes"], spec["layers"], spec["auxiliary"], genotype,
                               input_channels=spec["input_channels"])
    return NetworkCIFAR(spec["C"], spec["num_classes"], spec["layers"], spec["auxiliary"], genotype,
                        input_channels=spec["input_channels"], stem_multiplier=spec.get("stem_multiplier", 3))


def load(folder):
    """The exported network with its weights, in eval mode."""
    net = build(folder)
    net.load_state_dict(load_safetensors(os.path.join(folder, "state_dict.safetensors")))
    return net.eval()


def check(folder, path, batch_size=250):
    """Runs the network on the images of a check file and compares with entrannas' logits."""
    net = load(folder)
    data = load_safetensors(path)
    images, expected, labels = data["images"], data["logits"], data["labels"]
    diff, ours, theirs = 0.0, 0, 0
    with torch.no_grad():
        for i in range(0, images.size(0), batch_size):
            logits, _ = net(images[i:i + batch_size])
            ref = expected[i:i + batch_size]
            diff = max(diff, (logits - ref).abs().max().item())
            y = labels[i:i + batch_size]
            theirs += (logits.argmax(1) == y).sum().item()
            ours += (ref.argmax(1) == y).sum().item()
    n = images.size(0)
    print(json.dumps({"images": n, "max_abs_diff": diff, "top1_pytorch": 100.0 * theirs / n,
                      "top1_entrannas": 100.0 * ours / n, "torch": torch.__version__}))


class _Logits(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x)[0]


def example_input(folder):
    with open(os.path.join(folder, "network.json")) as f:
        spec = json.load(f)
    return torch.randn(2, spec["input_channels"], spec["image_height"], spec["image_width"])


def torchscript(folder, out):
    net = _Logits(load(folder)).eval()
    x = example_input(folder)
    traced = torch.jit.trace(net, x)
    traced.save(out)
    with torch.no_grad():
        diff = (torch.jit.load(out)(x) - net(x)).abs().max().item()
    print(json.dumps({"torchscript": out, "max_abs_diff": diff}))


def onnx(folder, out):
    net = _Logits(load(folder)).eval()
    torch.onnx.export(net, example_input(folder), out, input_names=["images"], output_names=["logits"],
                      dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    print(json.dumps({"onnx": out}))


if __name__ == "__main__":
    commands = {"check": check, "torchscript": torchscript, "onnx": onnx}
    if len(sys.argv) != 4 or sys.argv[1] not in commands:
        sys.exit("usage: python3 model.py check DIR CHECK.safetensors | torchscript DIR OUT.pt | onnx DIR OUT.onnx")
    commands[sys.argv[1]](sys.argv[2], sys.argv[3])
"""#
}
