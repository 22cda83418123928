"""The what-if dashboard for policy staff (``copsim-app``).

The Streamlit script (:mod:`copsim.app.page`) is thin: everything it shows is computed by plain
modules that have unit tests and no Streamlit import —

* :mod:`~copsim.app.cases`: the four cases, with two sentences each from the source article;
* :mod:`~copsim.app.levers`: the page's levers and how they become validated config overrides;
* :mod:`~copsim.app.results`: ensemble statistics (means, 95 % intervals, paired differences);
* :mod:`~copsim.app.wording`: the headline sentence, result cards and censoring text;
* :mod:`~copsim.app.export`: the ``copsim-run`` command line, experiment YAML and results CSV;
* :mod:`~copsim.app.runner`: the background job that runs both ensembles with progress;
* :mod:`~copsim.app.network_picture`: a small picture of one run's network.
"""
