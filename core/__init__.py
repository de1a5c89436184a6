"""Ground layer: vocabulary shared by every other package; imports nothing of ours."""
