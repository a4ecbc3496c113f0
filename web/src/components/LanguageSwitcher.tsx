import { useId } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { LANGUAGES, type Lang } from '../i18n/translate';

const NAMES: Record<Lang, string> = { en: 'English', nb: 'Norsk bokmål' };

export function LanguageSwitcher() {
  const { lang, setLang, t } = useI18n();
  const id = useId();
  return (
    <div className="lang-switcher">
      <label htmlFor={id} className="visually-hidden">
        {t('layout.language')}
      </label>
      <select id={id} className="input input--compact" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
        {LANGUAGES.map((l) => (
          <option key={l} value={l} lang={l}>
            {NAMES[l]}
          </option>
        ))}
      </select>
    </div>
  );
}
