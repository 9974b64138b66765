// Выбор записи в формах схем звонков: русский каталог (en-prompts.ts — те же ключи).
// Строки страницы «Приветствия и музыка ожидания» остаются в ru.ts.
export const ruPrompts = {
  'promptPicker.none': '— без записи —',
  'promptPicker.choose': '— выберите запись —',
  'promptPicker.stop': 'Остановить',
  'promptPicker.upload': 'Загрузить файл…',
  'promptPicker.tts': 'Синтезировать речь…',
  'promptPicker.uploadSave': 'Загрузить и выбрать',
  'promptPicker.ttsSave': 'Создать и выбрать',
  'promptPicker.ttsHint': 'Речь синтезирует espeak-ng прямо на сервере.',
  'promptPicker.greeting': 'Приветствие меню',
  'promptPicker.invalid': 'Запись при неверной клавише',
  'promptPicker.timeout': 'Запись, если ничего не нажато',
  'promptPicker.announcement': 'Запись объявления',
} as const;
