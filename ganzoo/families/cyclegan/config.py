"""The `cyclegan` config section (docs/cyclegan_and_editing.md)."""

SECTION = "cyclegan"
RUNTIME_KEYS = ("direction", "eval_")  # read by --mode=sample and --mode=eval only


def defaults() -> dict:
    return dict(
        enabled=False,  # train a CycleGAN between domains A and B instead of a z -> x GAN
        # The domains: two classes of the (labelled) dataset, or two image folders.
        domain_a_label=7,
        domain_b_label=9,
        domain_a_dir="",
        domain_b_dir="",
        g_width=32,  # generator filters at full resolution (x2, x4 after downsampling)
        res_blocks=3,  # residual blocks of each generator (the paper: 6 or 9)
        d_width=32,  # PatchGAN filters of the first layer
        cycle_weight=10.0,  # lambda of the cycle-consistency loss
        identity_weight=0.5,  # identity loss weight, times lambda (0 = off)
        direction="a2b",  # what --mode=sample translates from sample.inputs: a2b | b2a
        eval_split="test",  # --mode=eval: translated images of this split ...
        eval_num=1000,  # ... at most this many per domain
    )
