"""mconv's converter: the program that runs inside a conversion Job.

It waits for the uploaded model in the staging volume, turns it into an
inference engine for the device it runs on, checks the engine against ONNX
Runtime, measures it and writes the engine with metadata.json for download.
"""

__version__ = "0.1.0"
