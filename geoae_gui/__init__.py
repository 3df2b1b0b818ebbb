"""geoae_gui: the Qt desktop explorer over geoae_core."""
