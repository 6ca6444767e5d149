"""A calibrated simulator of the raw IODP LILY tables (GRA, MS, NGR and RGB ``*_DataLITH.csv``):
the default data source of the workflow. The entry point is `lithoflow.simulate.lily`.

Nothing is imported here, so that the checks of the ``simulate`` config section
(`lithoflow.simulate.settings`), read on every workflow start, do not load the simulator.
"""
