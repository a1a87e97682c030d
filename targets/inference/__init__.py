"""Inference server: an onnxruntime model behind aiohttp with health, readiness, metrics, drain."""
