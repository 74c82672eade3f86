"""Golden forward outputs and gradients of an auxiliary-input SimpleCNN, for
tests/Nsmt.Spectral.Models.Tests/AuxiliaryParityTests.cs (writes ../../Nsmt.Spectral.Models.Tests/Fixtures/auxiliary_cnn.safetensors).

The network is the template's SimpleCNN with auxiliary_input_size > 0 (NSMT src/models/components/simple_cnn.py),
written here from its definition in plain PyTorch: two [Conv3x3 -> BatchNorm -> ReLU -> MaxPool2] blocks, adaptive
average pooling to 4x4, Flatten -> Linear -> ReLU -> Dropout shared features; the auxiliary scalars through
Linear -> ReLU -> Dropout(dropout/2) -> Linear -> ReLU; both concatenated before one Linear per head. Parameter names
follow ours (features.*, shared.*, auxiliary_net.*, heads.*). Run with the Debian interpreter: /usr/bin/python3 make_auxiliary_fixture.py
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from safetensors_io import save  # noqa: E402

torch.manual_seed(27)
C1, C2, FC, AUX_IN, AUX_HIDDEN, DROPOUT = 4, 8, 16, 3, 8, 0.5
HEADS = {"note_velocity": 3, "log10_decay_time": 24}


class AuxiliaryCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, C1, 3, padding=1), nn.BatchNorm2d(C1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(C1, C2, 3, padding=1), nn.BatchNorm2d(C2), nn.ReLU(), nn.MaxPool2d(2),
            nn.AdaptiveAvgPool2d(4))
        self.shared = nn.Sequential(nn.Flatten(), nn.Linear(C2 * 16, FC), nn.ReLU(), nn.Dropout(DROPOUT))
        self.auxiliary_net = nn.Sequential(
            nn.Linear(AUX_IN, AUX_HIDDEN), nn.ReLU(), nn.Dropout(DROPOUT / 2), nn.Linear(AUX_HIDDEN, AUX_HIDDEN), nn.ReLU())
        self.heads = nn.ModuleDict({name: nn.Linear(FC + AUX_HIDDEN, n) for name, n in HEADS.items()})

    def forward(self, x, aux):
        combined = torch.cat([self.shared(self.features(x)), self.auxiliary_net(aux)], dim=1)
        return {name: head(combined) for name, head in self.heads.items()}


model = AuxiliaryCnn().double()
# Non-trivial BatchNorm statistics, then eval mode: no dropout, fixed normalisation, so the pass is deterministic.
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
model.eval()
x = torch.rand(5, 1, 32, 32, dtype=torch.float64)
aux = torch.randn(5, AUX_IN, dtype=torch.float64)
weights = {name: torch.randn(5, n, dtype=torch.float64) for name, n in HEADS.items()}
outputs = model(x, aux)
loss = sum((outputs[name] * weights[name]).sum() for name in HEADS)
loss.backward()

tensors = {f"param.{k}": v for k, v in model.state_dict().items() if "num_batches_tracked" not in k}
tensors.update({f"grad.{k}": p.grad for k, p in model.named_parameters()})
tensors.update({f"out.{k}": v for k, v in outputs.items()})
tensors.update({f"loss_weight.{k}": v for k, v in weights.items()})
tensors["input.x"], tensors["input.aux"] = x, aux
out = os.path.join(os.path.dirname(__file__), "..", "..", "Nsmt.Spectral.Models.Tests", "Fixtures", "auxiliary_cnn.safetensors")
os.makedirs(os.path.dirname(out), exist_ok=True)
save(out, tensors, {"torch": torch.__version__, "loss": repr(loss.item())})
print("wrote", out, "loss", loss.item())
