"""The fault campaign, ``gongtui chaos`` (docs/chaos.md): scenarios on the supervised
topology, one fault each, every outcome held to the fault-free one."""
