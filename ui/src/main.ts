// Entry of the admin UI bundle (dist/ui/app.js).
import { lang } from './i18n';
import './app/pbx-app';

document.documentElement.lang = lang();
