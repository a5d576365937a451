import { initAll } from "../dist/js/govuk-frontend.min.js";

initAll();
