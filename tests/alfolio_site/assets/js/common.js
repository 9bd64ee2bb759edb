// Theme script of the Jekyll site (tooltips, table of contents); Stride has its own.
$(document).ready(function () { $('[data-toggle="tooltip"]').tooltip(); });
