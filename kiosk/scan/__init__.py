"""Image work on camera frames (Qt-free): finding and flattening a document page."""
