"""The DARTS evaluation network (CIFAR and ImageNet styles) in plain PyTorch, written to match
Sources/NAS/Evaluation layer for layer: same ops, same order, same parameter shapes. It is the
reference side of the training benchmark and a cross-check of the parameter and multiply-add
counts. Runs on Debian's python3-torch (same libtorch 1.13 as the Swift build)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


class ReLUConvBN(nn.Sequential):
    def __init__(self, c_in, c_out, kernel, stride, padding):
        super().__init__(nn.ReLU(), nn.Conv2d(c_in, c_out, kernel, stride, padding, bias=False), nn.BatchNorm2d(c_out))


class SepConv(nn.Sequential):
    def __init__(self, c, kernel, stride, padding):
        super().__init__(
            nn.ReLU(), nn.Conv2d(c, c, kernel, stride, padding, groups=c, bias=False), nn.Conv2d(c, c, 1, bias=False),
            nn.BatchNorm2d(c),
            nn.ReLU(), nn.Conv2d(c, c, kernel, 1, padding, groups=c, bias=False), nn.Conv2d(c, c, 1, bias=False),
            nn.BatchNorm2d(c))


class DilConv(nn.Sequential):
    def __init__(self, c, kernel, stride, padding, dilation):
        super().__init__(
            nn.ReLU(), nn.Conv2d(c, c, kernel, stride, padding, dilation=dilation, groups=c, bias=False),
            nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c))


class FactorizedReduce(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv_1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = F.relu(x)
        shifted = x[:, :, 1:, 1:]
        if x.size(2) % 2 or x.size(3) % 2:  # odd sizes: pad back so both halves are ceil(size/2)
            shifted = F.pad(shifted, (0, x.size(3) % 2, 0, x.size(2) % 2))
        return self.bn(torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1))


def make_op(name, c, stride):
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, stride, 1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride, 1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c)
    if name == "sep_conv_3x3":
        return SepConv(c, 3, stride, 1)
    if name == "sep_conv_5x5":
        return SepConv(c, 5, stride, 2)
    if name == "dil_conv_3x3":
        return DilConv(c, 3, stride, 2, 2)
    if name == "dil_conv_5x5":
        return DilConv(c, 5, stride, 4, 2)
    raise ValueError(name)


# DARTS_V2: per node, the (op, input) pairs.
DARTS_V2 = {
    "normal": [[("sep_conv_3x3", 0), ("sep_conv_3x3", 1)], [("sep_conv_3x3", 0), ("sep_conv_3x3", 1)],
               [("sep_conv_3x3", 1), ("skip_connect", 0)], [("skip_connect", 0), ("dil_conv_3x3", 2)]],
    "normal_concat": [2, 3, 4, 5],
    "reduce": [[("max_pool_3x3", 0), ("max_pool_3x3", 1)], [("skip_connect", 2), ("max_pool_3x3", 1)],
               [("max_pool_3x3", 0), ("skip_connect", 2)], [("skip_connect", 2), ("max_pool_3x3", 1)]],
    "reduce_concat": [2, 3, 4, 5],
}


def drop_path(x, p):
    keep = 1.0 - p
    mask = torch.bernoulli(torch.full((x.size(0), 1, 1, 1), keep))
    return x * (mask / keep)


class Cell(nn.Module):
    def __init__(self, genotype, c_pp, c_p, c, reduction, reduction_prev):
        super().__init__()
        self.preprocess0 = FactorizedReduce(c_pp, c) if reduction_prev else ReLUConvBN(c_pp, c, 1, 1, 0)
        self.preprocess1 = ReLUConvBN(c_p, c, 1, 1, 0)
        self.nodes = genotype["reduce" if reduction else "normal"]
        self.concat = genotype["reduce_concat" if reduction else "normal_concat"]
        self.reduction = reduction
        self.ops = nn.ModuleList(make_op(op, c, 2 if reduction and i < 2 else 1) for node in self.nodes for op, i in node)
        self.multiplier = len(self.concat)
        self.drop_prob = 0.0

    def forward(self, s0, s1):
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        k = 0
        for node in self.nodes:
            total = None
            for _, i in node:
                op = self.ops[k]
                h = op(states[i])
                if self.training and self.drop_prob > 0 and not isinstance(op, nn.Identity):
                    h = drop_path(h, self.drop_prob)
                total = h if total is None else total + h
                k += 1
            states.append(total)
        return torch.cat([states[i] for i in self.concat], dim=1)


class AuxiliaryPool(nn.Module):
    """DARTS' fixed pooling when it gives 2x2, adaptive pooling to 2x2 otherwise."""

    def __init__(self, kernel, stride):
        super().__init__()
        self.kernel, self.stride = kernel, stride

    def forward(self, x):
        h, w = x.shape[2:]
        fixed = h >= self.kernel and w >= self.kernel and (h - self.kernel) // self.stride + 1 == 2 \
            and (w - self.kernel) // self.stride + 1 == 2
        if fixed:
            return F.avg_pool2d(x, self.kernel, self.stride, 0, count_include_pad=False)
        return F.adaptive_avg_pool2d(x, 2)


class AuxiliaryHead(nn.Module):
    def __init__(self, c, classes, imagenet=False):
        super().__init__()
        layers = [nn.ReLU(), AuxiliaryPool(5, 2 if imagenet else 3), nn.Conv2d(c, 128, 1, bias=False), nn.BatchNorm2d(128),
                  nn.ReLU(), nn.Conv2d(128, 768, 2, bias=False)]
        if not imagenet:
            layers.append(nn.BatchNorm2d(768))
        layers.append(nn.ReLU())
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(768, classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


class EvalNetwork(nn.Module):
    def __init__(self, genotype, c, layers, classes, input_channels=3, auxiliary=True, imagenet=False, stem_multiplier=3):
        super().__init__()
        self.layers = layers
        if imagenet:
            self.stem0 = nn.Sequential(
                nn.Conv2d(input_channels, c // 2, 3, 2, 1, bias=False), nn.BatchNorm2d(c // 2), nn.ReLU(),
                nn.Conv2d(c // 2, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c))
            self.stem1 = nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, 3, 2, 1, bias=False), nn.BatchNorm2d(c))
            c_pp, c_p, reduction_prev = c, c, True
        else:
            self.stem = nn.Sequential(nn.Conv2d(input_channels, stem_multiplier * c, 3, padding=1, bias=False),
                                      nn.BatchNorm2d(stem_multiplier * c))
            c_pp, c_p, reduction_prev = stem_multiplier * c, stem_multiplier * c, False
        self.imagenet = imagenet
        self.cells = nn.ModuleList()
        current = c
        c_aux = c_p
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                current *= 2
            cell = Cell(genotype, c_pp, c_p, current, reduction, reduction_prev)
            self.cells.append(cell)
            reduction_prev = reduction
            c_pp, c_p = c_p, cell.multiplier * current
            if i == 2 * layers // 3:
                c_aux = c_p
        self.auxiliary_head = AuxiliaryHead(c_aux, classes, imagenet) if auxiliary else None
        self.classifier = nn.Linear(c_p, classes)

    def set_drop_path(self, p):
        for cell in self.cells:
            cell.drop_prob = p

    def forward(self, x):
        if self.imagenet:
            s0 = self.stem0(x)
            s1 = self.stem1(s0)
        else:
            s0 = s1 = self.stem(x)
        aux = None
        for i, cell in enumerate(self.cells):
            s0, s1 = s1, cell(s0, s1)
            if i == 2 * self.layers // 3 and self.training and self.auxiliary_head is not None:
                aux = self.auxiliary_head(s1)
        return self.classifier(F.adaptive_avg_pool2d(s1, 1).flatten(1)), aux


def count(model, shape):
    """Parameters without the auxiliary head, and conv + linear multiply-adds of one image."""
    params = sum(p.numel() for n, p in model.named_parameters() if "auxiliary" not in n)
    macs = [0]

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            macs[0] += output.numel() // output.size(0) * module.in_channels // module.groups \
                * module.kernel_size[0] * module.kernel_size[1]
        elif isinstance(module, nn.Linear):
            macs[0] += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, *shape))
    for h in handles:
        h.remove()
    return params, macs[0]


if __name__ == "__main__":
    cifar = EvalNetwork(DARTS_V2, 36, 20, 10)
    print("cifar    20 cells, C=36, 3x32x32:   params %d, MAdds %d" % count(cifar, (3, 32, 32)))
    imagenet = EvalNetwork(DARTS_V2, 48, 14, 1000, imagenet=True)
    print("imagenet 14 cells, C=48, 3x224x224: params %d, MAdds %d" % count(imagenet, (3, 224, 224)))
    small = EvalNetwork(DARTS_V2, 16, 8, 10, input_channels=1)
    print("small    8 cells,  C=16, 1x28x28:   params %d, MAdds %d" % count(small, (1, 28, 28)))
