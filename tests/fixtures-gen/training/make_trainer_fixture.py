#!/usr/bin/python3
"""Golden fixture for TrainerParityTests: a plain PyTorch loop trains the template's SimpleCNN (cnn_micro) on the
simple_saw 256-sample dataset exactly as configs/experiment/trivial_micro_small.yaml describes (seed 12345,
Adam lr 0.005 with L2 weight decay 0.01, ReduceLROnPlateau(min, 0.1, patience 3) on val/loss, batch 32,
inputs / 255, summed per-head cross-entropy, randperm shuffling) for 2 epochs, 1 thread, and saves the final
weights and per-epoch validation loss/accuracies.

    dotnet stages/Generate/bin/Release/net10.0/Generate.dll --config configs/synth/simple_saw.yaml \
        --output /tmp/simple_saw_256 --no-reports dataset.size=256
    /usr/bin/python3 tests/fixtures-gen/training/make_trainer_fixture.py /tmp/simple_saw_256 \
        tests/Nsmt.Spectral.Training.Tests/Fixtures/trainer_cnn_micro.safetensors
"""
import json, os, sys
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "bench", "train-parity"))
import safetensors_io  # noqa: E402
from train_torch import SimpleCNN, load_split  # noqa: E402

data, out = sys.argv[1], sys.argv[2]
torch.set_num_threads(1)
torch.manual_seed(12345)
info = json.load(open(f"{data}/vimh_dataset_info.json"))
xtr, ytr = load_split(f"{data}/train", info)
xva, yva = load_split(f"{data}/test", info)
heads = []
for name in info["parameter_names"]:
    m = info["parameter_mappings"][name]
    heads.append((name, int(round((m["max"] - m["min"]) / m["step"])) + 1))
model = SimpleCNN(1, 8, 16, 32, 0.2, 32, heads)
opt = torch.optim.Adam(model.parameters(), lr=0.005, weight_decay=0.01)
sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.1, patience=3)
meta = {}
for epoch in range(2):
    model.train()
    perm = torch.randperm(xtr.shape[0])
    for s in range(0, xtr.shape[0], 32):
        idx = perm[s:s + 32]
        out_ = model(xtr[idx])
        loss = sum(F.cross_entropy(out_[name], ytr[idx][:, h]) for h, (name, _) in enumerate(heads))
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        val_loss, correct = 0.0, [0] * len(heads)
        for s in range(0, xva.shape[0], 32):
            o = model(xva[s:s + 32])
            y = yva[s:s + 32]
            val_loss += sum(F.cross_entropy(o[name], y[:, h]) for h, (name, _) in enumerate(heads)).item() * y.shape[0]
            for h, (name, _) in enumerate(heads):
                correct[h] += o[name].argmax(1).eq(y[:, h]).sum().item()
    val_loss /= xva.shape[0]
    sched.step(val_loss)
    meta[f"epoch{epoch}.val_loss"] = repr(val_loss)
    for h, (name, _) in enumerate(heads):
        meta[f"epoch{epoch}.val/{name}_acc"] = repr(correct[h] / xva.shape[0])
# Our module names: SimpleCNN registers features/shared/heads like this script, so keys match state_dict().
safetensors_io.save(out, {k: v for k, v in model.state_dict().items() if v.dtype == torch.float32 or v.dtype == torch.int64}, meta)
print(meta)
